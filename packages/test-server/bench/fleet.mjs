// The capacity benchmark's fleet mode (capacity.mjs --fleet N): N test-server processes on one Redis (Debian's
// redis-server, started here on loopback and stopped after), the clients spread evenly across them (one client
// process per server), the publisher on the first server. Same method as one server: memory is the slope between two loaded states (summed
// over the servers), latency is publish time (on the publishing server, before it asks Redis) to the moment the client
// process reads the event.
import {fork} from 'node:child_process'
import {once} from 'node:events'
import {setTimeout as sleep} from 'node:timers/promises'
import {startRedis} from '../../../scripts/redis-server.mjs'
import {inbox, rpc} from './ipc.mjs'
import {summarize} from './latency.mjs'

/** What a run started, so that the benchmark's deadline can end it all at once. */
let running

/** Kills the redis-server of a run that is out of time (the servers and clients exit with the benchmark). */
export function killFleet() {
  void running?.kill()
}

async function startServer(redisUrl, heartbeatMs) {
  const child = fork(new URL('./fleet-server.mjs', import.meta.url), [redisUrl, String(heartbeatMs)], {
    execArgv: ['--expose-gc'],
  })
  const {url} = await inbox(child).next('listening')
  return {child, url, call: rpc(child)}
}

/** Progress on stderr with BENCH_DEBUG set. */
const debug = (...parts) => process.env.BENCH_DEBUG && console.error('fleet:', ...parts)

const sum = (values) => values.reduce((total, value) => total + value, 0)

/** Memory and open streams of every server, summed. */
async function fleetMemory(servers) {
  const answers = await Promise.all(servers.map((server) => server.call({type: 'memory'})))
  return {
    rss: sum(answers.map((a) => a.memory.rss)),
    heapUsed: sum(answers.map((a) => a.memory.heapUsed)),
    open: sum(answers.map((a) => a.open)),
    perServer: answers.map((a) => ({rss: a.memory.rss, open: a.open})),
  }
}

export async function runFleet({instances, connections, broadcasts, intervalMs, heartbeatMs, batch}) {
  const redis = (running = await startRedis())
  const servers = []
  try {
    for (let i = 0; i < instances; i++) servers.push(await startServer(redis.url, heartbeatMs))
    const urls = servers.map((server) => server.url).join(',')
    const idle = await fleetMemory(servers)

    // Warm-up, as with one server: a few connections, then back to a fresh state.
    const warm = fork(new URL('./clients.mjs', import.meta.url), [urls, String(Math.min(connections, 200)), batch])
    await inbox(warm).next('connected')
    warm.kill()
    await once(warm, 'exit')
    while ((await fleetMemory(servers)).open > 0) await sleep(50)
    await Promise.all(servers.map((server) => server.call({type: 'reset'})))

    // One client process per server (one process cannot hold 20 000 sockets under ulimit -n 20000), each with its
    // share of the connections, connecting in two halves as with one server.
    const clients = servers.map((server, index) => {
      const share = Math.floor(connections / instances) + (index < connections % instances ? 1 : 0)
      const child = fork(new URL('./clients.mjs', import.meta.url), [server.url, String(share), batch, '2'])
      return {child, messages: inbox(child)}
    })
    const allOf = (type, index) => Promise.all(clients.map(({messages}) => messages.next(type, index)))
    const merged = (answers) => ({
      ms: Math.max(...answers.map((a) => a.ms)),
      failures: sum(answers.map((a) => a.failures)),
      failureReasons: answers.map((a) => a.failureReasons),
    })
    const half = merged(await allOf('connected'))
    debug('half connected', half)
    const halfLoaded = await fleetMemory(servers)
    for (const {child} of clients) child.send({type: 'continue'})
    const connected = merged(await allOf('connected'))
    debug('all connected', connected)
    const loaded = await fleetMemory(servers)

    const heartbeats = async () =>
      sum((await Promise.all(servers.map((s) => s.call({type: 'heartbeats'})))).map((a) => a.heartbeats))
    const heartbeatsBefore = await heartbeats()
    await sleep(heartbeatMs + 500)
    const heartbeatsSent = (await heartbeats()) - heartbeatsBefore
    debug('heartbeats', heartbeatsSent)

    const publishMs = []
    const publisher = servers[0]
    for (let i = 1; i <= broadcasts; i++) {
      const delivered = allOf('received', i)
      publishMs.push((await publisher.call({type: 'publish', index: i})).ms)
      await delivered
      debug('broadcast', i, 'delivered')
      await sleep(intervalMs)
    }
    for (const {child} of clients) child.send({type: 'report', raw: true})
    const reports = await allOf('report')
    await Promise.all(clients.map(({child}) => (child.exitCode === null ? once(child, 'exit') : undefined)))
    const report = {
      ...summarize(reports.flatMap((r) => r.latencies)),
      failures: sum(reports.map((r) => r.failures)),
    }
    return {idle, half, halfLoaded, connected, loaded, heartbeatsSent, publishMs, report}
  } finally {
    for (const server of servers) {
      if (server.child.connected) await server.call({type: 'close'})
      if (server.child.exitCode === null) await once(server.child, 'exit')
    }
    await redis.stop()
  }
}
