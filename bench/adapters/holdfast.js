// Holdfast's drop-in EventSource API, used exactly as the native one.
import {EventSource} from '@holdfast/client'

export function open(url, on) {
  const source = new EventSource(url)
  source.onmessage = (event) => on.data(event.data)
  return () => source.close()
}
