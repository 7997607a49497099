'use strict'
// The Playwright fixture through `require`: what Playwright loads for the specs of a project that is not an ES module.
const {test, expect} = require('@holdfast/test-server/playwright')
const {EventSource} = require('@holdfast/client')

test('the fixture serves a stream that the client reads (require)', async ({sse}) => {
  const source = new EventSource(sse.url)
  const received = new Promise((resolve) => source.addEventListener('message', (event) => resolve(event.data)))
  await sse.nextConnection()
  sse.publish('hello')
  expect(await received).toBe('hello')
  source.close()
})
