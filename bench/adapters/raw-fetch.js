// The limit: fetch and a reader that only counts bytes (no decoding, no parsing, no events). It never reconnects.
export function open(url, on) {
  const controller = new AbortController()
  fetch(url, {signal: controller.signal, cache: 'no-store'})
    .then(async (response) => {
      const reader = response.body.getReader()
      for (;;) {
        const {done, value} = await reader.read()
        if (done) return on.end()
        on.bytes(value)
      }
    })
    .catch(() => {})
  return () => controller.abort()
}
