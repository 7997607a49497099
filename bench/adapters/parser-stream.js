// A naive pipeline: fetch, TextDecoderStream and eventsource-parser's EventSourceParserStream, read in a loop.
// It never reconnects.
import {EventSourceParserStream} from 'eventsource-parser/stream'

export function open(url, on) {
  const controller = new AbortController()
  fetch(url, {signal: controller.signal, cache: 'no-store'})
    .then(async (response) => {
      const reader = response.body
        .pipeThrough(new TextDecoderStream())
        .pipeThrough(new EventSourceParserStream())
        .getReader()
      for (;;) {
        const {done, value} = await reader.read()
        if (done) return on.end()
        on.data(value.data)
      }
    })
    .catch(() => {})
  return () => controller.abort()
}
