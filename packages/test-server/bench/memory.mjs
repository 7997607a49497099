// Memory as the capacity benchmark reads it, in whichever process holds the server (the bench itself, or a server
// of the fleet).
import {setTimeout as sleep} from 'node:timers/promises'
import {getHeapSpaceStatistics} from 'node:v8'

export const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1)

/** RSS after full collections, so garbage does not count as the cost of connections. Needs `node --expose-gc`. */
export async function settledMemory() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc()
    await sleep(100)
  }
  if (process.env.BENCH_DEBUG) {
    for (const space of getHeapSpaceStatistics())
      console.error(
        space.space_name,
        (space.space_size / 1048576).toFixed(1),
        'MB size',
        (space.space_used_size / 1048576).toFixed(1),
        'MB used',
      )
    const usage = process.memoryUsage()
    console.error('rss', mb(usage.rss), 'external', mb(usage.external), 'arrayBuffers', mb(usage.arrayBuffers))
  }
  return process.memoryUsage()
}
