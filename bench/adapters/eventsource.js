// `eventsource` v5: a spec-exact, fetch-based EventSource class.
import {EventSource} from 'eventsource'

export function open(url, on) {
  const source = new EventSource(url)
  source.onmessage = (event) => on.data(event.data)
  return () => source.close()
}
