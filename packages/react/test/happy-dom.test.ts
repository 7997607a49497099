// The client's message events in happy-dom, where MessageEvent gives every event its own `data`, `lastEventId` and
// `origin`: apps that test with happy-dom read them as in a browser.
import {expect, it} from 'vitest'
import {StreamEvent} from '../../client/src/events'

it('a message event of the client keeps its data, lastEventId and origin under happy-dom', () => {
  const event = new StreamEvent('message', 'hello', '7', 'http://sse.test')
  expect([event.data, event.lastEventId, event.origin, event.type]).toEqual([
    'hello',
    '7',
    'http://sse.test',
    'message',
  ])
  expect(event).toBeInstanceOf(MessageEvent)
})
