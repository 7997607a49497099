// Capacity benchmark (a script, not a test): one server process holds N concurrent SSE connections on loopback,
// with heartbeats on, while the clients run in another process; it broadcasts events and reports the server's RSS
// per connection and the broadcast delivery latency p50/p99.
//
//   pnpm --filter @holdfast/test-server bench                      # 10 000 connections, 20 broadcasts
//   node --expose-gc bench/capacity.mjs --connections 2000 --broadcasts 10
//
// Bounded: loopback only, at most 20 000 connections (ulimit -n is 20 000 and the ephemeral ports 32768-60999
// must hold the clients), and the whole run is killed after --timeout seconds.
import {fork} from 'node:child_process'
import {once} from 'node:events'
import {cpus, loadavg} from 'node:os'
import {performance} from 'node:perf_hooks'
import {setTimeout as sleep} from 'node:timers/promises'
import {parseArgs} from 'node:util'
import {getHeapSpaceStatistics} from 'node:v8'
import {createTestServer} from '../dist/index.js'

const {values} = parseArgs({
  options: {
    connections: {type: 'string', default: '10000'},
    broadcasts: {type: 'string', default: '20'},
    interval: {type: 'string', default: '250'},
    heartbeat: {type: 'string', default: '2000'},
    batch: {type: 'string', default: '500'},
    timeout: {type: 'string', default: '300'},
    json: {type: 'boolean', default: false},
  },
})
const connections = Number(values.connections)
const broadcasts = Number(values.broadcasts)
const intervalMs = Number(values.interval)
const heartbeatMs = Number(values.heartbeat)
if (!(connections > 0 && connections <= 20_000)) throw new Error('--connections must be 1-20000')
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc so memory is measured after GC')

const deadline = setTimeout(
  () => {
    console.error(`capacity: gave up after ${values.timeout} s`)
    process.exit(2)
  },
  Number(values.timeout) * 1000,
)
deadline.unref()

const now = () => performance.timeOrigin + performance.now()
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1)

/** RSS after full collections, so garbage does not count as the cost of connections. */
async function settledMemory() {
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
    console.error(
      'rss',
      mb(process.memoryUsage().rss),
      'external',
      mb(process.memoryUsage().external),
      'arrayBuffers',
      mb(process.memoryUsage().arrayBuffers),
    )
  }
  return process.memoryUsage()
}

const server = await createTestServer({heartbeatMs, retryMs: false, replayLimit: 100, logger: false, backlog: 4096})
const channel = 'bench'

const idle = await settledMemory()

// Warm up the JIT and the parser pools with a few connections. Not more: memory freed by a large warm-up stays
// committed and would be reused by the measured connections, hiding their cost.
async function warmUp(count) {
  const warm = fork(new URL('./clients.mjs', import.meta.url), [server.streamUrl(channel), String(count), values.batch])
  await once(warm, 'message')
  warm.kill()
  await once(warm, 'exit')
  while ((server.channels().find((c) => c.name === channel)?.openConnections ?? 0) > 0) await sleep(50)
}
await warmUp(Math.min(connections, 200))
server.reset()

// The clients connect in two halves; the memory cost of a connection is the slope between the two loaded states, so
// one-time costs paid during the first half (V8 grows its young generation from 8 to 32 MB under allocation pressure,
// whatever the number of connections) do not count as per-connection costs.
const clients = fork(new URL('./clients.mjs', import.meta.url), [
  server.streamUrl(channel),
  String(connections),
  values.batch,
  '2',
])
const messages = []
const waiters = []
clients.on('message', (message) => {
  const waiter = waiters.findIndex(
    (w) => w.type === message.type && (w.index === undefined || w.index === message.index),
  )
  if (waiter === -1) messages.push(message)
  else waiters.splice(waiter, 1)[0].resolve(message)
})
function next(type, index) {
  const queued = messages.findIndex((m) => m.type === type && (index === undefined || m.index === index))
  if (queued !== -1) return Promise.resolve(messages.splice(queued, 1)[0])
  return new Promise((resolve) => waiters.push({type, index, resolve}))
}
const openNow = () => server.channels().find((c) => c.name === channel)?.openConnections ?? 0

const half = await next('connected')
const halfOpen = openNow()
const halfLoaded = await settledMemory()
clients.send({type: 'continue'})
const connected = await next('connected')
const open = openNow()
const loaded = await settledMemory()

// Heartbeats are on: hold the connections for a bit more than one interval so every stream gets at least one.
const heartbeatsBefore = Number(/holdfast_heartbeats_total (\d+)/.exec(await server.metrics())?.[1] ?? 0)
await sleep(heartbeatMs + 500)
const heartbeatsSent =
  Number(/holdfast_heartbeats_total (\d+)/.exec(await server.metrics())?.[1] ?? 0) - heartbeatsBefore

const publishMs = []
for (let i = 1; i <= broadcasts; i++) {
  const delivered = next('received', i)
  const started = performance.now()
  server.publish(channel, {data: JSON.stringify({i, t: now()})})
  publishMs.push(performance.now() - started)
  await delivered
  await sleep(intervalMs)
}
const during = process.memoryUsage()
clients.send({type: 'report'})
const report = await next('report')

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const perConnection = (loaded.rss - halfLoaded.rss) / (open - halfOpen)
const result = {
  node: process.version,
  cpus: cpus().length,
  loadAverage: +loadavg()[0].toFixed(1),
  connections: open,
  connectFailures: report.failures,
  connectSeconds: +((half.ms + connected.ms) / 1000).toFixed(1),
  heartbeatMs,
  heartbeatsSent,
  rssIdleMB: +mb(idle.rss),
  rssHalfLoadedMB: +mb(halfLoaded.rss),
  rssLoadedMB: +mb(loaded.rss),
  rssDuringBroadcastsMB: +mb(during.rss),
  rssPerConnectionKB: +(perConnection / 1024).toFixed(2),
  heapPerConnectionKB: +((loaded.heapUsed - halfLoaded.heapUsed) / (open - halfOpen) / 1024).toFixed(2),
  // The naive figure: everything the process grew by since it was idle, over the number of connections.
  rssGrowthPerConnectionKB: +((loaded.rss - idle.rss) / open / 1024).toFixed(2),
  broadcasts,
  deliveries: report.deliveries,
  latencyP50ms: +report.p50.toFixed(1),
  latencyP99ms: +report.p99.toFixed(1),
  latencyMaxMs: +report.max.toFixed(1),
  // The p99 of the median broadcast: less sensitive than the overall p99 to one broadcast slowed by other processes.
  medianBroadcastP99ms: +median(report.perBroadcast.map((b) => b.p99)).toFixed(1),
  publishLoopP50ms: +median(publishMs).toFixed(1),
  goals: {rssPerConnectionUnder10KB: perConnection < 10 * 1024, p99Under100ms: report.p99 < 100},
}

if (values.json) {
  console.log(JSON.stringify(result))
} else {
  console.log(
    `Holdfast test server capacity (${result.node}, ${result.connections} connections, heartbeat ${heartbeatMs} ms)`,
  )
  console.log(`  machine                 ${result.cpus} CPUs, load average ${result.loadAverage} at the end of the run`)
  console.log(`  connected in            ${result.connectSeconds} s (${result.connectFailures} failures)`)
  console.log(`  heartbeats sent         ${result.heartbeatsSent} in one interval`)
  console.log(
    `  RSS                     ${result.rssIdleMB} MB idle, ${result.rssHalfLoadedMB} MB at ${halfOpen}, ${result.rssLoadedMB} MB at ${open} connections`,
  )
  console.log(
    `  RSS per connection      ${result.rssPerConnectionKB} KB, marginal (goal < 10 KB) ${result.goals.rssPerConnectionUnder10KB ? 'ok' : 'MISSED'}`,
  )
  console.log(`  JS heap per connection  ${result.heapPerConnectionKB} KB, marginal`)
  console.log(
    `  RSS growth / connection ${result.rssGrowthPerConnectionKB} KB (all growth since idle, fixed costs included)`,
  )
  console.log(
    `  broadcast latency       p50 ${result.latencyP50ms} ms, p99 ${result.latencyP99ms} ms, max ${result.latencyMaxMs} ms`,
  )
  console.log(
    `                          (goal p99 < 100 ms) ${result.goals.p99Under100ms ? 'ok' : 'MISSED'}; ${result.deliveries} deliveries`,
  )
  console.log(`  median broadcast's p99  ${result.medianBroadcastP99ms} ms`)
  console.log(`  publish loop (p50)      ${result.publishLoopP50ms} ms to hand one event to every client`)
}

await once(clients, 'exit')
await server.close({timeoutMs: 2000})
clearTimeout(deadline)
