// Holdfast's fastest consumption path: `subscribe`, a plain callback with plain messages (no DOM event per message).
import {EventSource} from '@holdfast/client'

export function open(url, on) {
  const source = new EventSource(url)
  source.subscribe((message) => on.data(message.data))
  return () => source.close()
}
