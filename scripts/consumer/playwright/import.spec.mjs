// The Playwright fixture through `import`.
import {test, expect} from '@holdfast/test-server/playwright'
import {EventSource} from '@holdfast/client'

test('the fixture serves a stream that the client reads (import)', async ({sse}) => {
  const source = new EventSource(sse.url)
  const received = new Promise((resolve) => source.addEventListener('message', (event) => resolve(event.data)))
  await sse.nextConnection()
  sse.publish('hello')
  expect(await received).toBe('hello')
  source.close()
})
