import {certificateInfo, localhostCertificate} from './certificate.js'
import {createEngine} from './engine/create.js'
import type {Engine} from './engine/engine.js'
import {Hub} from './hub.js'
import {startHttpServer, type HttpServer} from './http-server.js'
import {createRequestListener} from './http/router.js'
import {createMetrics} from './metrics.js'
import {normalizeOptions} from './options.js'
import {createScope} from './scope.js'
import type {FaultEntry} from './faults/entry.js'
import type {FaultHandle, FaultTarget, Publication, RedisOptions, TestServer, TestServerOptions} from './types.js'
import {waitTimeout} from './wait-list.js'

/** A URL this machine can connect to: the unspecified addresses become loopback. */
function baseUrl(scheme: 'http' | 'https', host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' || host === '[::]' ? '::1' : host
  return `${scheme}://${reachable.includes(':') && !reachable.startsWith('[') ? `[${reachable}]` : reachable}:${port}`
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
  const tls = normalized.http2 === 'generate' ? await localhostCertificate() : normalized.http2 || undefined
  const hub = new Hub(normalized, engine)
  const metrics = createMetrics(hub)
  const http = await startHttpServer(normalized, tls, createRequestListener(hub, metrics))
  hub.startConfiguredTickers()
  const url = baseUrl(tls ? 'https' : 'http', normalized.host, http.address.port)
  let closing: Promise<void> | undefined

  const testServer: TestServer<boolean> = {
    url,
    port: http.address.port,
    host: normalized.host,
    token: normalized.token,
    protocol: tls ? 'h2' : 'http/1.1',
    certificate: tls ? certificateInfo(tls.cert) : undefined,
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
    scope: (channel, scopeOptions) => createScope(testServer, hub, channel, scopeOptions),
    reset: () => hub.reset(),
    metrics: () => metrics.metrics(),
    close(closeOptions = {}) {
      closing ??= shutdown(http, hub, closeOptions.timeoutMs ?? normalized.shutdownTimeoutMs)
      return closing
    },
    [Symbol.asyncDispose]() {
      return testServer.close()
    },
  }
  return testServer
}

/**
 * Stops accepting (idle keep-alive sockets are closed, HTTP/2 sessions get a GOAWAY), sends every stream its final
 * event and ends it (each HTTP/1.1 socket closes once its end is flushed), then waits for the connections to go,
 * destroying the stragglers at the deadline.
 */
async function shutdown(http: HttpServer, hub: Hub, timeoutMs: number): Promise<void> {
  const closed = http.close()
  hub.shutdown()
  const deadline = setTimeout(() => {
    hub.log({level: 'warn', message: `Shutdown deadline of ${timeoutMs} ms passed; destroying the sockets still open`})
    http.destroyAll()
  }, timeoutMs)
  await closed
  clearTimeout(deadline)
  await hub.engine.close()
}
