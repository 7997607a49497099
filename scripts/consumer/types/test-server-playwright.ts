import {test, expect, sseWebServer} from '@holdfast/test-server/playwright'

test('publishes', async ({sse}) => {
  sse.publish('hello')
  expect(sse.events()).toHaveLength(1)
})
export const webServer = sseWebServer({port: 8787, heartbeatMs: 1000})
// @ts-expect-error `sse` is the fixture's scope, with no `send`
test('misuses', async ({sse}) => sse.send('hello'))
