import type {
  ChannelInfo,
  ConnectionPredicate,
  ConnectionRecord,
  EventInput,
  PublishedEvent,
  WaitForConnectionOptions,
  WaitOptions,
} from './connections.js'
import type {Fault, FaultHandle, FaultInfo, FaultTarget} from './faults.js'

// Options

/** One log line. The server never writes to the console unless its logger does. */
export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error'
  message: string
  connection?: string
  channel?: string
  reason?: string
}

/** Receives the server's log entries. */
export type Logger = (entry: LogEntry) => void

/** Cross-origin access. `true` reflects any `Origin`. */
export interface CorsOptions {
  /** Origins allowed (exact match, like `http://localhost:5173`); others get no CORS headers. @defaultValue every origin */
  origins?: readonly string[]
  /**
   * The request headers a preflight allows, exactly (`['Last-Event-ID']`: a page's `X-Api-Key` is refused). @defaultValue
   * every header the preflight asks for, plus `Last-Event-ID`, `Authorization`, `Content-Type`, `Cache-Control` and
   * `X-Holdfast-Token`
   */
  headers?: readonly string[]
}

/** A feed that publishes one event every `intervalMs`: a ticking stream with ids. */
export interface TickerOptions {
  /** @defaultValue `'ticker'` */
  channel?: string
  /** @defaultValue `1000` */
  intervalMs?: number
  /** The event type; without it the events are `message`s. */
  event?: string
  /** The data of tick `n` (1, 2…). @defaultValue `{n, time}` as JSON, `time` an ISO date */
  data?: (n: number) => unknown
}

/** A running ticker. */
export interface Ticker {
  readonly channel: string
  readonly intervalMs: number
  /** Ticks published so far. */
  readonly ticks: number
  stop(): void
}

/** The final event sent to every stream when the server shuts down. */
export interface ShutdownEvent {
  /** @defaultValue `'shutdown'` */
  event?: string
  /** @defaultValue `'server shutting down'` */
  data?: string
}

/**
 * The certificate of an HTTP/2 server (the `http2` option): given, or generated for localhost. PEM strings, or paths
 * to PEM files.
 */
export interface Http2Options {
  /** The certificate chain, PEM (or a path to a PEM file). Give both `cert` and `key`, or neither. */
  cert?: string | Buffer
  /** Its private key, PEM (or a path to a PEM file). */
  key?: string | Buffer
}

/** What a client needs to trust a certificate: its fingerprints. */
export interface CertificateInfo {
  /** The certificate, PEM-encoded: pass it as `ca` to a Node client. */
  pem: string
  /** SHA-256 of the certificate, `AB:CD:…`, as browsers show it. */
  fingerprint256: string
  /** Base64 SHA-256 of the public key (SPKI), for Chromium's `--ignore-certificate-errors-spki-list`. */
  spki256: string
  /** The names it is valid for (subject alternative names). */
  names: string
  validTo: Date
}

/** Options of `createTestServer`. Every default is in `defaultOptions`. */
export interface TestServerOptions {
  /** TCP port; 0 picks a free one. @defaultValue `0` */
  port?: number
  /** Address to bind. Anything but a loopback address makes the control API require a `token`. @defaultValue `'127.0.0.1'` */
  host?: string
  /** Heartbeat comment interval in ms; 0 disables heartbeats. @defaultValue `15000` */
  heartbeatMs?: number
  /** The `retry:` hint sent when a stream opens, in ms; `false` sends none. @defaultValue `1000` */
  retryMs?: number | false
  /** Events kept per channel for Last-Event-ID replay. @defaultValue `1000` */
  replayLimit?: number
  /**
   * Secret for the control API and query-parameter faults. Required when `host` is not a loopback address: when
   * missing there, a random one is generated (read it from `server.token`; the CLI prints it). @defaultValue none
   */
  token?: string
  /** CORS for pages served from another origin. @defaultValue `true` */
  cors?: boolean | CorsOptions
  /** URL prefix → directory, served as static files (`{'/app': './dist'}`). @defaultValue `{}` */
  static?: Record<string, string>
  /** Tickers to start with the server. */
  ticker?: TickerOptions | readonly TickerOptions[]
  /** Bytes queued for a slow reader before it is disconnected (`slow-consumer`). @defaultValue `1048576` */
  maxQueuedBytes?: number
  /** Closed connection records kept for introspection. @defaultValue `1000` */
  connectionHistory?: number
  /** The query parameter read as Last-Event-ID when the header is absent. @defaultValue `'lastEventId'` */
  lastEventIdParam?: string
  /**
   * How long a long poll (`?transport=poll`) with nothing to send waits for the next event before it ends empty, in
   * ms (0 to 3600000). Keep it below the client's idle timeout and the proxies' read timeouts. `?pollTimeoutMs=`
   * overrides it per request. @defaultValue `25000`
   */
  pollTimeoutMs?: number
  /** The last event sent to every stream on `close()`; `false` sends none. */
  shutdownEvent?: ShutdownEvent | false
  /** How long `close()` waits for clients to leave before destroying their sockets, in ms. @defaultValue `5000` */
  shutdownTimeoutMs?: number
  /** Node's `keepAliveTimeout` for idle non-stream connections, in ms. @defaultValue `5000` */
  keepAliveTimeoutMs?: number
  /** Node's `headersTimeout`, in ms. @defaultValue `10000` */
  headersTimeoutMs?: number
  /** Node's `requestTimeout` (time to receive a whole request, never the response), in ms. @defaultValue `30000` */
  requestTimeoutMs?: number
  /** The listen backlog, sized for bursts of reconnecting clients. @defaultValue `1024` */
  backlog?: number
  /**
   * [ext] Serve HTTPS with HTTP/2, and HTTP/1.1 for clients that do not offer h2 (ALPN), on the certificate given,
   * or (`true`, or no `cert`) on a self-signed one made at start for `localhost`, `127.0.0.1` and `::1`. Every
   * feature works the same; faults take their HTTP/2 shapes (a drop is a `RST_STREAM`, `close()` sends `GOAWAY`).
   * @defaultValue `false`
   */
  http2?: boolean | Http2Options
  /** Where log entries go; `false` discards them. @defaultValue warnings and errors to stderr */
  logger?: Logger | false
  /** Prefix of every Prometheus metric name. @defaultValue `'holdfast_'` */
  metricsPrefix?: string
  /**
   * Run as one server of a fleet: channels, ids, replay logs and publishes are shared through this Redis (a URL like
   * `redis://127.0.0.1:6379`, or {@link RedisOptions}) with every server pointed at it. `publish()` then returns a
   * promise. Faults, connections, tickers and metrics stay per server. Without it nothing Redis-related is loaded.
   * @defaultValue none: this server alone, in memory
   */
  redis?: string | RedisOptions
}

/** The `redis` option in full. */
export interface RedisOptions {
  /** `redis://[[user]:password@]host[:port][/db]` or `rediss://…` (TLS). */
  url: string
  /** Prefix of every key and pub/sub channel, so that several fleets can share one Redis. @defaultValue `'holdfast:'` */
  keyPrefix?: string
  /** How long connecting may take before `createTestServer` fails with `redis-unavailable`, in ms. @defaultValue `3000` */
  connectTimeoutMs?: number
}

// The server and its per-test scopes

/** Options of `close()`. */
export interface CloseOptions {
  /** How long to wait for clients to leave before destroying their sockets. @defaultValue the `shutdownTimeoutMs` option */
  timeoutMs?: number
}

/**
 * What `publish` returns: the event with its id; on a fleet (the `redis` option) a promise of it, settled once Redis
 * stored the event and this server's streams got it, rejected with `redis-unavailable` when Redis is unreachable.
 */
export type Publication<Fleet extends boolean = false> = Fleet extends true ? Promise<PublishedEvent> : PublishedEvent

/**
 * A running test server. Every method is synchronous unless it returns a Promise. `Fleet` is true for a server
 * started with the `redis` option, whose `publish` returns a promise.
 */
export interface TestServer<Fleet extends boolean = false> {
  /** `http://127.0.0.1:PORT` (`https://` with `http2`; a loopback URL even when bound to `0.0.0.0`). */
  readonly url: string
  readonly port: number
  /** The address bound. */
  readonly host: string
  /** The control token, when one is required (given, or generated for a non-loopback host). */
  readonly token: string | undefined
  /** `h2` with the `http2` option (HTTPS, HTTP/2 and HTTP/1.1), else `http/1.1`. */
  readonly protocol: 'http/1.1' | 'h2'
  /** The certificate an `http2` server presents (trust it, or pass `certificate.pem` as `ca`); else `undefined`. */
  readonly certificate: CertificateInfo | undefined

  /** The absolute URL of a channel's stream, with optional query parameters (faults, `lastEventId`, `retryMs`). */
  streamUrl(channel?: string, query?: Record<string, string | number | boolean>): string
  /**
   * Publishes an event (a bare value is the `data`); returns it with its id (on a fleet, a promise of it). The id is
   * the channel's next integer, in memory or (on a fleet) allocated by Redis for every server at once.
   */
  publish(channel: string, event: EventInput | string): Publication<Fleet>
  /**
   * The events in a channel's replay log, oldest first (`[]` for an unknown channel). On a fleet, this server's copy
   * of the shared log, for the channels it follows (those a stream, a publish, a fault or a scope touched here).
   */
  events(channel: string): PublishedEvent[]
  channels(): ChannelInfo[]

  /**
   * Injects a fault. `target` is a channel name, `{channel}`, `{connection}`, or nothing for every channel. It
   * applies at once to the open connections it targets, then to new ones, `times` in all.
   */
  inject(fault: Fault, target?: FaultTarget | string): FaultHandle
  /** Active faults (pending, or spent but not yet cleared). */
  faults(): FaultInfo[]
  /** Withdraws the faults aimed at `target` (all without one) and lifts their effects. Returns how many. */
  clearFaults(target?: FaultTarget | string): number
  /** Ends stalls and delay holds on the connections `target` selects (all without one). Returns how many. */
  resume(target?: FaultTarget | string): number

  /** Connection records in arrival order, for one channel or all (`[]` for an unknown channel). */
  connections(channel?: string): ConnectionRecord[]
  /** One connection's record, live or closed. */
  connection(id: string): ConnectionRecord | undefined
  /**
   * Resolves with the first connection, in arrival order, that matches `predicate` and arrived after
   * `options.after`: one already seen, or the next to arrive, open or close. Tests await this instead of sleeping.
   */
  waitForConnection(predicate?: ConnectionPredicate, options?: WaitForConnectionOptions): Promise<ConnectionRecord>
  /** Resolves with the record once the connection is closed (at once if it is). */
  waitForClose(connection: ConnectionRecord | string, options?: WaitOptions): Promise<ConnectionRecord>

  /** Starts a ticker (one per channel: a second one on the same channel replaces the first). */
  startTicker(options?: TickerOptions): Ticker
  /** A handle on one channel for one test: a unique channel when no name is given. */
  scope(channel?: string, options?: ScopeOptions): ChannelScope<Fleet>
  /**
   * Back to a fresh state: faults cleared, runtime tickers stopped, streams ended, channels and history dropped. On a
   * fleet, this server forgets the channels; their ids and logs in Redis stay (other servers may be serving them).
   */
  reset(): void
  /** The Prometheus text `/metrics` serves. */
  metrics(): Promise<string>
  /**
   * Graceful shutdown: refuses new streams, stops tickers, sends every stream the shutdown event, ends them, and
   * resolves once every socket is closed; sockets still open after the timeout are destroyed.
   */
  close(options?: CloseOptions): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/** Options of `server.scope()`. */
export interface ScopeOptions {
  /**
   * The `timeoutMs` of the scope's waits when a call passes none: a number, or a function asked at each call (the
   * Playwright fixture passes the time left of the test's timeout). `Infinity` waits without a limit.
   * @defaultValue `5000`
   */
  timeoutMs?: number | (() => number)
  /** Appended to the message of a wait that timed out: what to raise, and where (a function is asked then). */
  timeoutHint?: string | (() => string)
}

/**
 * One channel of a server, for one test: everything is aimed at that channel, and `dispose()` clears its faults,
 * stops its ticker, ends its streams and forgets it. What the Playwright fixture hands each test.
 */
export interface ChannelScope<Fleet extends boolean = false> {
  readonly channel: string
  readonly server: TestServer<Fleet>
  /** The channel's stream URL. */
  readonly url: string
  streamUrl(query?: Record<string, string | number | boolean>): string
  publish(event: EventInput | string): Publication<Fleet>
  events(): PublishedEvent[]
  /** Injects a fault on this channel (or on one of its connections). */
  inject(fault: Fault, target?: {connection?: string}): FaultHandle
  clearFaults(): number
  resume(): number
  connections(): ConnectionRecord[]
  waitForConnection(predicate?: ConnectionPredicate, options?: WaitForConnectionOptions): Promise<ConnectionRecord>
  /**
   * The channel's connections one by one, in arrival order: the first call resolves with the first connection
   * (even if it arrived before the call), the next call with the second, and so on. Each resolves once that
   * connection has been answered: opened as a stream (its `status`, `replay` and `lastEventId` are final), or
   * answered with a status, refused or closed. Only a `delay` fault holds a connection unanswered; the call then
   * waits for the delay to end (or rejects with a `timeout` saying so). The record is a snapshot taken then:
   * `server.connection(id)` reads fresh counters.
   */
  nextConnection(options?: WaitOptions): Promise<ConnectionRecord>
  waitForClose(connection: ConnectionRecord | string, options?: WaitOptions): Promise<ConnectionRecord>
  startTicker(options?: Omit<TickerOptions, 'channel'>): Ticker
  dispose(): void
}
