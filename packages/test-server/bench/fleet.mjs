// The capacity benchmark's fleet mode (capacity.mjs --fleet N): N test-server processes on one Redis (Debian's
// redis-server, started here on loopback and stopped after), the clients spread across them in one client process,
// the publisher on the first server. Same method as one server: memory is the slope between two loaded states (summed
// over the servers), latency is publish time (on the publishing server, before it asks Redis) to the moment the client
// process reads the event.
import {fork} from 'node:child_process'
import {once} from 'node:events'
import {setTimeout as sleep} from 'node:timers/promises'
import {startRedis} from '../../../scripts/redis-server.mjs'
import {inbox, rpc} from './ipc.mjs'

async function startServer(redisUrl, heartbeatMs) {
  const child = fork(new URL('./fleet-server.mjs', import.meta.url), [redisUrl, String(heartbeatMs)], {
    execArgv: ['--expose-gc'],
  })
  const {url} = await inbox(child).next('listening')
  return {child, url, call: rpc(child)}
}

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
  const redis = await startRedis()
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

    const clients = fork(new URL('./clients.mjs', import.meta.url), [urls, String(connections), batch, '2'])
    const fromClients = inbox(clients)
    const half = await fromClients.next('connected')
    const halfLoaded = await fleetMemory(servers)
    clients.send({type: 'continue'})
    const connected = await fromClients.next('connected')
    const loaded = await fleetMemory(servers)

    const heartbeats = async () =>
      sum((await Promise.all(servers.map((s) => s.call({type: 'heartbeats'})))).map((a) => a.heartbeats))
    const heartbeatsBefore = await heartbeats()
    await sleep(heartbeatMs + 500)
    const heartbeatsSent = (await heartbeats()) - heartbeatsBefore

    const publishMs = []
    const publisher = servers[0]
    for (let i = 1; i <= broadcasts; i++) {
      const delivered = fromClients.next('received', i)
      publishMs.push((await publisher.call({type: 'publish', index: i})).ms)
      await delivered
      await sleep(intervalMs)
    }
    clients.send({type: 'report'})
    const report = await fromClients.next('report')
    await once(clients, 'exit')
    return {idle, half, halfLoaded, connected, loaded, heartbeatsSent, publishMs, report}
  } finally {
    for (const server of servers) {
      if (server.child.connected) await server.call({type: 'close'})
      if (server.child.exitCode === null) await once(server.child, 'exit')
    }
    await redis.stop()
  }
}
