// `eventsource-client`: a closure with an `onMessage` callback (its fastest path) and an async iterator.
import {createEventSource} from 'eventsource-client'

export function open(url, on) {
  const source = createEventSource({url, onMessage: (message) => on.data(message.data)})
  return () => source.close()
}
