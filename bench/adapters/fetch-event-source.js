// `@microsoft/fetch-event-source`: fetch + callbacks. It does not reconnect after a clean end unless `onclose`
// throws, which is its documented way to ask for a retry; `onerror` returning nothing keeps the server's `retry:`.
import {fetchEventSource} from '@microsoft/fetch-event-source'

export function open(url, on) {
  const controller = new AbortController()
  fetchEventSource(url, {
    signal: controller.signal,
    openWhenHidden: true,
    onmessage: (message) => on.data(message.data),
    onclose() {
      throw new Error('the stream ended')
    },
    onerror() {},
  }).catch(() => {})
  return () => controller.abort()
}
