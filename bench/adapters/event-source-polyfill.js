// `event-source-polyfill`: the XHR-era class (it reads with fetch where fetch exists, as in Chromium).
import {EventSourcePolyfill} from 'event-source-polyfill'

export function open(url, on) {
  const source = new EventSourcePolyfill(url)
  source.onmessage = (event) => on.data(event.data)
  return () => source.close()
}
