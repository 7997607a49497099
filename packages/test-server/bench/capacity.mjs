// Capacity benchmark (a script, not a test): one server process holds N concurrent SSE connections on loopback,
// with heartbeats on, while the clients run in another process; it broadcasts events and reports the server's RSS
// per connection and the broadcast delivery latency p50/p99. With --fleet N, N server processes on one Redis share
// the channel (see fleet.mjs): the clients are spread across them and the publisher is the first one.
//
//   pnpm --filter @holdfast/test-server bench                      # 10 000 connections, 20 broadcasts
//   node --expose-gc bench/capacity.mjs --connections 2000 --broadcasts 10
//   node --expose-gc bench/capacity.mjs --fleet 2 --connections 10000   # one server per core on a 2-core machine
//
// Bounded: loopback only, at most 20 000 connections (ulimit -n is 20 000 and the ephemeral ports 32768-60999
// must hold the clients), and the whole run is killed after --timeout seconds.
import {fork} from 'node:child_process'
import {once} from 'node:events'
import {cpus, loadavg} from 'node:os'
import {performance} from 'node:perf_hooks'
import {setTimeout as sleep} from 'node:timers/promises'
import {parseArgs} from 'node:util'
import {createTestServer} from '../dist/index.js'
import {killFleet, runFleet} from './fleet.mjs'
import {inbox} from './ipc.mjs'
import {mb, settledMemory} from './memory.mjs'

const {values} = parseArgs({
  options: {
    connections: {type: 'string', default: '10000'},
    broadcasts: {type: 'string', default: '20'},
    interval: {type: 'string', default: '250'},
    heartbeat: {type: 'string', default: '2000'},
    batch: {type: 'string', default: '500'},
    timeout: {type: 'string', default: '300'},
    fleet: {type: 'string'},
    json: {type: 'boolean', default: false},
  },
})
const connections = Number(values.connections)
const broadcasts = Number(values.broadcasts)
const intervalMs = Number(values.interval)
const heartbeatMs = Number(values.heartbeat)
const instances = values.fleet === undefined ? 0 : Number(values.fleet)
if (!(connections > 0 && connections <= 20_000)) throw new Error('--connections must be 1-20000')
if (values.fleet !== undefined && !(Number.isInteger(instances) && instances >= 1 && instances <= 16))
  throw new Error('--fleet must be a number of servers, 1-16 (one per core: --fleet $(nproc))')
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc so memory is measured after GC')

const deadline = setTimeout(
  () => {
    console.error(`capacity: gave up after ${values.timeout} s`)
    killFleet()
    process.exit(2)
  },
  Number(values.timeout) * 1000,
)
deadline.unref()

const now = () => performance.timeOrigin + performance.now()

/** One server in this process: the measurements of a run. */
async function runSingle() {
  const server = await createTestServer({heartbeatMs, retryMs: false, replayLimit: 100, logger: false, backlog: 4096})
  const channel = 'bench'
  const openNow = () => server.channels().find((c) => c.name === channel)?.openConnections ?? 0
  const measure = async () => ({...(await settledMemory()), open: openNow()})
  const idle = await measure()

  // Warm up the JIT and the parser pools with a few connections. Not more: memory freed by a large warm-up stays
  // committed and would be reused by the measured connections, hiding their cost.
  const warm = fork(new URL('./clients.mjs', import.meta.url), [
    server.streamUrl(channel),
    String(Math.min(connections, 200)),
    values.batch,
  ])
  await inbox(warm).next('connected')
  warm.kill()
  await once(warm, 'exit')
  while (openNow() > 0) await sleep(50)
  server.reset()

  // The clients connect in two halves; the memory cost of a connection is the slope between the two loaded states,
  // so one-time costs paid during the first half (V8 grows its young generation from 8 to 32 MB under allocation
  // pressure, whatever the number of connections) do not count as per-connection costs.
  const clients = fork(new URL('./clients.mjs', import.meta.url), [
    server.streamUrl(channel),
    String(connections),
    values.batch,
    '2',
  ])
  const fromClients = inbox(clients)
  const half = await fromClients.next('connected')
  const halfLoaded = await measure()
  clients.send({type: 'continue'})
  const connected = await fromClients.next('connected')
  const loaded = await measure()

  // Heartbeats are on: hold the connections for a bit more than one interval so every stream gets at least one.
  const heartbeats = async () => Number(/holdfast_heartbeats_total (\d+)/.exec(await server.metrics())?.[1] ?? 0)
  const heartbeatsBefore = await heartbeats()
  await sleep(heartbeatMs + 500)
  const heartbeatsSent = (await heartbeats()) - heartbeatsBefore

  const publishMs = []
  for (let i = 1; i <= broadcasts; i++) {
    const delivered = fromClients.next('received', i)
    const started = performance.now()
    server.publish(channel, {data: JSON.stringify({i, t: now()})})
    publishMs.push(performance.now() - started)
    await delivered
    await sleep(intervalMs)
  }
  clients.send({type: 'report'})
  const report = await fromClients.next('report')
  await once(clients, 'exit')
  await server.close({timeoutMs: 2000})
  return {idle, half, halfLoaded, connected, loaded, heartbeatsSent, publishMs, report}
}

const run = instances
  ? await runFleet({instances, connections, broadcasts, intervalMs, heartbeatMs, batch: values.batch})
  : await runSingle()
const {idle, half, halfLoaded, connected, loaded, heartbeatsSent, publishMs, report} = run

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]
const perConnection = (loaded.rss - halfLoaded.rss) / (loaded.open - halfLoaded.open)
const result = {
  node: process.version,
  cpus: cpus().length,
  loadAverage: +loadavg()[0].toFixed(1),
  servers: instances || 1,
  connections: loaded.open,
  connectFailures: report.failures,
  connectSeconds: +((half.ms + connected.ms) / 1000).toFixed(1),
  heartbeatMs,
  heartbeatsSent,
  rssIdleMB: +mb(idle.rss),
  rssHalfLoadedMB: +mb(halfLoaded.rss),
  rssLoadedMB: +mb(loaded.rss),
  rssPerConnectionKB: +(perConnection / 1024).toFixed(2),
  heapPerConnectionKB: +((loaded.heapUsed - halfLoaded.heapUsed) / (loaded.open - halfLoaded.open) / 1024).toFixed(2),
  // The naive figure: everything the server processes grew by since they were idle, over the number of connections.
  rssGrowthPerConnectionKB: +((loaded.rss - idle.rss) / loaded.open / 1024).toFixed(2),
  ...(loaded.perServer ? {openPerServer: loaded.perServer.map((s) => s.open)} : {}),
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
  const where = instances ? `${instances} servers on one Redis` : 'one server'
  console.log(
    `Holdfast test server capacity (${result.node}, ${where}, ${result.connections} connections, heartbeat ${heartbeatMs} ms)`,
  )
  console.log(`  machine                 ${result.cpus} CPUs, load average ${result.loadAverage} at the end of the run`)
  console.log(`  connected in            ${result.connectSeconds} s (${result.connectFailures} failures)`)
  if (result.openPerServer) console.log(`  streams per server      ${result.openPerServer.join(', ')}`)
  console.log(`  heartbeats sent         ${result.heartbeatsSent} in one interval`)
  console.log(
    `  RSS                     ${result.rssIdleMB} MB idle, ${result.rssHalfLoadedMB} MB at ${halfLoaded.open}, ${result.rssLoadedMB} MB at ${loaded.open} connections`,
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
  console.log(
    `  publish (p50)           ${result.publishLoopP50ms} ms ${instances ? 'for the publishing server to store the event in Redis and hand it to its own clients' : 'to hand one event to every client'}`,
  )
}
clearTimeout(deadline)
