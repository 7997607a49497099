// One server of the capacity benchmark's fleet, in its own process (forked by fleet.mjs): a test server on the
// bench's Redis, answering the orchestrator's requests over IPC: memory (after GC), open streams, publish, close.
import {performance} from 'node:perf_hooks'
import {createTestServer} from '../dist/index.js'
import {settledMemory} from './memory.mjs'

// If the benchmark dies (its --timeout), so does this process.
process.on('disconnect', () => process.exit())
const [redis, heartbeatText] = process.argv.slice(2)
const channel = 'bench'
const now = () => performance.timeOrigin + performance.now()
const server = await createTestServer({
  redis,
  heartbeatMs: Number(heartbeatText),
  retryMs: false,
  replayLimit: 100,
  logger: false,
  backlog: 4096,
})
const open = () => server.channels().find((c) => c.name === channel)?.openConnections ?? 0

process.on('message', async (message) => {
  const reply = (body) => process.send({...body, id: message.id})
  switch (message.type) {
    case 'memory':
      return reply({memory: await settledMemory(), open: open()})
    case 'open':
      return reply({open: open()})
    case 'reset':
      server.reset()
      return reply({})
    case 'heartbeats':
      return reply({heartbeats: Number(/holdfast_heartbeats_total (\d+)/.exec(await server.metrics())?.[1] ?? 0)})
    case 'publish': {
      const started = performance.now()
      await server.publish(channel, {data: JSON.stringify({i: message.index, t: now()})})
      return reply({ms: performance.now() - started})
    }
    case 'close':
      await server.close({timeoutMs: 2000})
      process.send({id: message.id}, () => process.disconnect())
  }
})
process.send({type: 'listening', url: server.streamUrl(channel)})
