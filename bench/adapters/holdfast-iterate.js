// Holdfast's other consumption path: async iteration (`for await … of source.events()`). The buffer is unbounded
// here: at full speed the body's queued chunks are parsed before the consumer resumes, and the default bufferSize
// (1000) would end the loop with a buffer-overflow error, as documented.
import {EventSource} from '@holdfast/client'

export function open(url, on) {
  const source = new EventSource(url)
  ;(async () => {
    for await (const event of source.events({bufferSize: Number.MAX_SAFE_INTEGER})) on.data(event.data)
  })().catch(() => {})
  return () => source.close()
}
