// Holdfast's other consumption path: async iteration from @holdfast/client/iterate, as its README shows it (default
// bufferSize: a loop that falls 1000 events behind pauses the reading until it has caught up halfway).
import {EventSource} from '@holdfast/client'
import {events} from '@holdfast/client/iterate'

export function open(url, on) {
  const source = new EventSource(url)
  ;(async () => {
    for await (const event of events(source)) on.data(event.data)
  })().catch(() => {})
  return () => source.close()
}
