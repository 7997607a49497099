import {expect, test} from '../fixtures'

test('the built ESM bundle runs in Chromium and receives events from the test server', async ({harness, sse}) => {
  await harness.open('feed', sse.url)
  const connection = await sse.nextConnection()
  expect(connection.headers['accept']).toBe('text/event-stream')
  await expect.poll(() => harness.readyState('feed')).toBe(1)
  sse.publish('one')
  sse.publish({event: 'update', data: {n: 2}})
  sse.publish('three')
  await expect.poll(() => harness.messages('feed')).toEqual(['one', 'three'])
  const log = await harness.log('feed')
  expect(log.map((entry) => entry.type)).toEqual(['open', 'message', 'message'])
  expect(log.filter((entry) => entry.type === 'message').map((entry) => entry.lastEventId)).toEqual(['1', '3'])
})
