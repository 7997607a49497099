import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {createEngine} from './engine/create.js'
import type {Engine} from './engine/engine.js'
import {TestServerError} from './errors.js'
import {Hub} from './hub.js'
import {createRequestListener} from './http/router.js'
import {createMetrics} from './metrics.js'
import {normalizeOptions} from './options.js'
import {createScope} from './scope.js'
import type {FaultEntry} from './faults/entry.js'
import type {FaultHandle, FaultTarget, Publication, RedisOptions, TestServer, TestServerOptions} from './types.js'
import {waitTimeout} from './wait-list.js'

function listen(server: Server, port: number, host: string, backlog: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(new TestServerError('listen-failed', `Cannot listen on ${host}:${port}: ${error.message}`, {cause: error}))
    }
    server.once('error', onError)
    server.listen({port, host, backlog}, () => {
      server.off('error', onError)
      resolve(server.address() as AddressInfo)
    })
  })
}

/** A URL this machine can connect to: the unspecified addresses become loopback. */
function baseUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' || host === '[::]' ? '::1' : host
  return `http://${reachable.includes(':') && !reachable.startsWith('[') ? `[${reachable}]` : reachable}:${port}`
}

function targetOf(target: FaultTarget | string | undefined): FaultTarget {
  return typeof target === 'string' ? {channel: target} : (target ?? {})
}

function handleFor(hub: Hub, entry: FaultEntry): FaultHandle {
  return {
    id: entry.id,
    fault: entry.fault,
    target: entry.target,
    get fired() {
      return entry.firedOn.length
    },
    get pending() {
      return entry.pending
    },
    whenFired: (options) => hub.whenFired(entry, waitTimeout(options)),
    resume: () => hub.resume({}, entry.id),
    clear: () => hub.faults.clearOne(entry.id),
  }
}

/**
 * Starts a test server and resolves once it listens. On 127.0.0.1 and a free port unless told otherwise. With the
 * `redis` option it is one server of a fleet; it connects to Redis first and fails with `redis-unavailable` (naming
 * the URL) if it cannot.
 * @example
 * const server = await createTestServer({heartbeatMs: 1000})
 * const es = new EventSource(server.streamUrl('news'))
 * server.publish('news', {data: 'hello'})
 * await server.close()
 * @example
 * const a = await createTestServer({redis: 'redis://127.0.0.1:6379'})
 * const b = await createTestServer({redis: 'redis://127.0.0.1:6379'})
 * await a.publish('news', 'hello') // reaches the streams of b too, with id 1 everywhere
 */
export function createTestServer(options: TestServerOptions & {redis: string | RedisOptions}): Promise<TestServer<true>>
export function createTestServer(options?: TestServerOptions & {redis?: undefined}): Promise<TestServer>
export function createTestServer(options?: TestServerOptions): Promise<TestServer<boolean>>
export async function createTestServer(options?: TestServerOptions): Promise<TestServer<boolean>> {
  const normalized = normalizeOptions(options)
  const engine = await createEngine(normalized)
  try {
    return await start(normalized, engine)
  } catch (error) {
    await engine.close()
    throw error
  }
}

async function start(normalized: ReturnType<typeof normalizeOptions>, engine: Engine): Promise<TestServer<boolean>> {
  const hub = new Hub(normalized, engine)
  const metrics = createMetrics(hub)
  const server = createServer(
    {
      // TCP keep-alive probes find peers that vanished without a FIN; Nagle off so small frames leave at once.
      keepAlive: true,
      keepAliveInitialDelay: 30_000,
      noDelay: true,
      requestTimeout: normalized.requestTimeoutMs,
      headersTimeout: normalized.headersTimeoutMs,
    },
    createRequestListener(hub, metrics),
  )
  server.keepAliveTimeout = normalized.keepAliveTimeoutMs
  // No idle timeout on sockets: a quiet stream is not a dead one (heartbeats and TCP keep-alive cover that).
  server.timeout = 0
  const address = await listen(server, normalized.port, normalized.host, normalized.backlog)
  hub.startConfiguredTickers()
  const url = baseUrl(normalized.host, address.port)
  let closing: Promise<void> | undefined

  const testServer: TestServer<boolean> = {
    url,
    port: address.port,
    host: normalized.host,
    token: normalized.token,
    streamUrl(channel = 'default', query = {}) {
      const target = new URL(`/sse/${encodeURIComponent(channel)}`, url)
      for (const [key, value] of Object.entries(query)) target.searchParams.set(key, String(value))
      return target.href
    },
    publish: (channel, event) =>
      hub.publish(channel, typeof event === 'string' ? {data: event} : event) as Publication<boolean>,
    events: (channel) =>
      hub.hasChannel(channel)
        ? hub
            .channel(channel)
            .log.entries()
            .map((entry) => entry.event)
        : [],
    channels: () => hub.channelInfos(),
    inject: (fault, target) => handleFor(hub, hub.inject(fault, targetOf(target), 'api')),
    faults: () => hub.faults.list(),
    clearFaults: (target) => hub.clearFaults(targetOf(target)),
    resume: (target) => hub.resume(targetOf(target)),
    connections: (channel) => hub.connections.list(channel === undefined ? {} : {channel}),
    connection: (id) => hub.connections.record(id),
    waitForConnection: (predicate, waitOptions) => hub.connections.waitFor(predicate, waitOptions),
    waitForClose: (connection, waitOptions) => hub.connections.waitForClose(connection, waitOptions),
    startTicker: (tickerOptions) => hub.startTicker(tickerOptions),
    scope: (channel) => createScope(testServer, hub, channel),
    reset: () => hub.reset(),
    metrics: () => metrics.metrics(),
    close(closeOptions = {}) {
      closing ??= shutdown(server, hub, closeOptions.timeoutMs ?? normalized.shutdownTimeoutMs)
      return closing
    },
    [Symbol.asyncDispose]() {
      return testServer.close()
    },
  }
  return testServer
}

/**
 * Stops accepting (Node closes the idle keep-alive sockets), sends every stream its final event and ends it (each
 * socket closes once its end is flushed), then waits for the sockets to go, destroying the stragglers at the deadline.
 */
async function shutdown(server: Server, hub: Hub, timeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  hub.shutdown()
  const deadline = setTimeout(() => {
    hub.log({level: 'warn', message: `Shutdown deadline of ${timeoutMs} ms passed; destroying the sockets still open`})
    server.closeAllConnections()
  }, timeoutMs)
  await closed
  clearTimeout(deadline)
  await hub.engine.close()
}
