// The browser's own EventSource.
export function open(url, on) {
  const source = new EventSource(url)
  source.onmessage = (event) => on.data(event.data)
  return () => source.close()
}
