import type {IncomingHttpHeaders} from 'node:http'

// ---------------------------------------------------------------------------------------------------------------
// Faults: one vocabulary for the programmatic API, the HTTP control endpoints and per-request query parameters.
// ---------------------------------------------------------------------------------------------------------------

/** Fields every fault accepts. */
export interface FaultCommon {
  /**
   * How many connections the fault applies to. Connections already open that match the target are taken first
   * (oldest first, stream faults only), then new connections as they arrive. `'all'` (or `Infinity`) applies it to
   * every matching connection until the fault is cleared. @defaultValue `1`
   */
  times?: number | 'all'
  /**
   * Stream faults only: the number of events (with ids: published or replayed) the connection sends, counted from
   * the moment the fault is armed on it, before the fault fires. A connection that opens after the injection is
   * armed before its replay, so `after: 4` with `midEvent: true` cuts the 5th event it would send. @defaultValue `0`
   */
  after?: number
}

/** Stop writing anything (events, heartbeats, comments) with the socket kept open; for `durationMs` or until resumed. */
export interface StallFault extends FaultCommon {
  type: 'stall'
  /** Lift the stall by itself after this many ms; without it the stall lasts until `resume()` or `clear()`. */
  durationMs?: number
}

/** Destroy the socket without ending the response (the client sees a network error). */
export interface DropFault extends FaultCommon {
  type: 'drop'
  /** Write the first half of the next event, then drop: the client holds a partial event. @defaultValue `false` */
  midEvent?: boolean
  /** Send a TCP RST instead of a FIN. @defaultValue `false` */
  reset?: boolean
}

/** End the response cleanly (the chunked body terminates; the client sees the stream end). */
export interface EndFault extends FaultCommon {
  type: 'end'
}

/** Answer new connections with this HTTP status instead of a stream. */
export interface StatusFault extends FaultCommon {
  type: 'status'
  /** The status code, 200-599. */
  status: number
  /** Sent as the `Retry-After` header: seconds (a number) or an HTTP date (a string). */
  retryAfter?: number | string
  /** The response body. @defaultValue the status line's reason phrase, as text/plain */
  body?: string
  /** Extra response headers (a `Location` for a redirect, say). */
  headers?: Record<string, string>
}

/** Answer new connections with a 200 whose `Content-Type` is wrong; the events still follow in the body. */
export interface ContentTypeFault extends FaultCommon {
  type: 'content-type'
  /** @defaultValue `'text/plain; charset=utf-8'` */
  contentType?: string
}

/** The built-in malformed frames; see the README for the exact bytes of each. */
export type MalformedVariant = 'garbage' | 'invalid-utf8' | 'unknown-field' | 'bad-retry' | 'nul-id' | 'unterminated'

/** Write a malformed or garbage frame into the stream. */
export interface MalformedFault extends FaultCommon {
  type: 'malformed'
  /** Which malformed frame to write. Ignored when `frame` is given. @defaultValue `'garbage'` */
  variant?: MalformedVariant
  /** Raw text to write instead of a built-in variant, exactly as given. */
  frame?: string
}

/** Write one event (type `oversized`, no id) whose data is `size` bytes long. */
export interface OversizedFault extends FaultCommon {
  type: 'oversized'
  /** The size of the data field in bytes, 1 to 67108864 (64 MiB). */
  size: number
}

/** Write every following byte one at a time, `intervalMs` apart, until the fault is cleared. */
export interface TrickleFault extends FaultCommon {
  type: 'trickle'
  /** Milliseconds between two bytes. @defaultValue `20` */
  intervalMs?: number
}

/** Hold new connections before the response head: for `durationMs`, or until resumed. */
export interface DelayFault extends FaultCommon {
  type: 'delay'
  /** How long to hold; without it the connection is held until `resume()` or `clear()`. */
  durationMs?: number
}

/** Change the heartbeat interval of the connection (0 stops heartbeats) until the fault is cleared. */
export interface HeartbeatFault extends FaultCommon {
  type: 'heartbeat'
  /** The new interval in ms; 0 disables heartbeats. */
  intervalMs: number
}

/** Reset new connections as soon as their request arrives, without any response (a network error for the client). */
export interface RefuseFault extends FaultCommon {
  type: 'refuse'
}

/** Every fault the server can inject. */
export type Fault =
  | StallFault
  | DropFault
  | EndFault
  | StatusFault
  | ContentTypeFault
  | MalformedFault
  | OversizedFault
  | TrickleFault
  | DelayFault
  | HeartbeatFault
  | RefuseFault

/** The name of a fault. */
export type FaultType = Fault['type']

/** Faults that decide how a new connection is answered; they never apply to a connection already open. */
export type ConnectFaultType = 'status' | 'content-type' | 'delay' | 'refuse'

/** Where a fault applies. With neither field, it applies to every channel. */
export interface FaultTarget {
  /** Only connections to this channel. */
  channel?: string
  /** Only this connection (an id from a {@link ConnectionRecord}); it must be open. Not for connect faults. */
  connection?: string
}

/** Where a fault came from. */
export type FaultSource = 'api' | 'control' | 'query'

/** A fault as the server reports it. */
export interface FaultInfo {
  id: string
  fault: Fault
  target: FaultTarget
  via: FaultSource
  /** Connections it may still be applied to (`'all'` for no limit). */
  pending: number | 'all'
  /** Ids of the connections it fired on, in order. */
  firedOn: string[]
  createdAt: number
}

/** What `inject()` returns: a live view of one fault and the way to take it back. */
export interface FaultHandle {
  readonly id: string
  readonly fault: Fault
  readonly target: FaultTarget
  /** The number of connections it fired on so far. */
  readonly fired: number
  /** Connections it may still be applied to (`Infinity` for no limit). */
  readonly pending: number
  /** Resolves with the connection the fault fires on first (at once if it already fired). @defaultValue timeout 5000 ms */
  whenFired(options?: WaitOptions): Promise<ConnectionRecord>
  /** Lifts the stalls and delays this fault caused; the fault stays pending. Returns the connections resumed. */
  resume(): number
  /** Withdraws the fault and lifts what it still causes (stall, trickle, heartbeat, delay). False if already cleared. */
  clear(): boolean
}

// ---------------------------------------------------------------------------------------------------------------
// Events and channels
// ---------------------------------------------------------------------------------------------------------------

/** What to publish. A `data` that is not a string is sent as JSON. */
export interface EventInput {
  /** The payload; strings with line breaks become several `data:` lines. */
  data: unknown
  /** The event type (`event:` field); without it the client dispatches a `message`. No line breaks. */
  event?: string
  /** A `retry:` field to send with the event, in ms. */
  retry?: number
}

/** An event as stored in a channel's replay log. */
export interface PublishedEvent {
  /** Monotonically increasing per channel, starting at `'1'`. */
  id: string
  channel: string
  event: string | undefined
  data: string
  retry: number | undefined
  /** Milliseconds since the epoch. */
  publishedAt: number
}

/** A channel as the server reports it. */
export interface ChannelInfo {
  name: string
  /** The id of the last event published, `'0'` before the first. */
  lastId: string
  /** The oldest id still in the replay log, or `undefined` when the log is empty. */
  oldestId: string | undefined
  /** Events in the replay log. */
  logSize: number
  /** Connections open on the channel. */
  openConnections: number
}

// ---------------------------------------------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------------------------------------------

/** Who ended a connection. */
export type ClosedBy = 'client' | 'server' | 'fault'

/**
 * Why a connection ended:
 * - `client-closed`: the client went away.
 * - `slow-consumer`: the client read too slowly and its queue passed `maxQueuedBytes`.
 * - `shutdown`: the server closed; `reset`: `reset()` ended every stream; `scope-disposed`: its Playwright test ended.
 * - `fault-drop`, `fault-end`, `fault-status`, `fault-refuse`: a fault ended it.
 *
 * A stream request that is invalid (bad channel name, bad query fault, missing token) gets a 4xx and no record.
 */
export type CloseReason =
  | 'client-closed'
  | 'slow-consumer'
  | 'shutdown'
  | 'reset'
  | 'scope-disposed'
  | 'fault-drop'
  | 'fault-end'
  | 'fault-status'
  | 'fault-refuse'

/** What happened to the Last-Event-ID a connection brought. */
export interface ReplayReport {
  /**
   * - `none`: no Last-Event-ID, nothing replayed.
   * - `replayed`: every event after the id was replayed (possibly none).
   * - `too-old`: the id is older than the replay log; the whole log was replayed after a `replay-gap` event.
   * - `unknown-id`: the id is not a number or is newer than the channel's last id; the whole log was replayed after
   *   a `replay-gap` event.
   */
  result: 'none' | 'replayed' | 'too-old' | 'unknown-id'
  /** How many events were replayed. */
  events: number
}

/** One stream request, as introspection reports it. A snapshot: call `connections()` again for fresh numbers. */
export interface ConnectionRecord {
  /** `c1`, `c2`… in the order requests arrived, unique per server. */
  id: string
  /** 1, 2… the same order as a number. */
  seq: number
  channel: string
  /** `connecting` while held by a delay fault. */
  state: 'connecting' | 'open' | 'closed'
  method: string
  /** The request path and query, as received. */
  url: string
  /** The request headers (lower-case names), as received: assert a fresh `authorization` here. */
  headers: IncomingHttpHeaders
  /** The request body of a POST (or other method with a body), up to 64 KiB; `undefined` for none. */
  body: string | undefined
  /** The Last-Event-ID the client sent (header first, else the query parameter), or `undefined`. */
  lastEventId: string | undefined
  /** Where that id came from. */
  lastEventIdFrom: 'header' | 'query' | undefined
  replay: ReplayReport
  /** The status the request was answered with; `undefined` while connecting or when refused. */
  status: number | undefined
  /** Milliseconds since the epoch. */
  openedAt: number
  closedAt: number | undefined
  closedBy: ClosedBy | undefined
  closeReason: CloseReason | undefined
  /** Body bytes written to the socket. */
  bytesSent: number
  /** Events with ids (published or replayed) written in full. */
  eventsSent: number
  /** The id of the last event written, or `undefined`. */
  lastSentId: string | undefined
  heartbeatsSent: number
  /** Bytes waiting because the client reads too slowly (or the stream trickles). */
  queuedBytes: number
  stalled: boolean
  /** The faults that fired on this connection, in order. */
  faults: Array<{id: string; type: FaultType; via: FaultSource}>
  remoteAddress: string | undefined
}

/** A predicate over connection records. */
export type ConnectionPredicate = (connection: ConnectionRecord) => boolean

/** Options of the `waitFor…` methods. */
export interface WaitOptions {
  /** Reject with a `timeout` error after this many ms. @defaultValue `5000` */
  timeoutMs?: number
}

/** Options of `waitForConnection`. */
export interface WaitForConnectionOptions extends WaitOptions {
  /** Only consider connections that arrived after this one (a record or its id). */
  after?: ConnectionRecord | string
}

// ---------------------------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------------------------

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
  /** Where log entries go; `false` discards them. @defaultValue warnings and errors to stderr */
  logger?: Logger | false
  /** Prefix of every Prometheus metric name. @defaultValue `'holdfast_'` */
  metricsPrefix?: string
}

// ---------------------------------------------------------------------------------------------------------------
// The server and its per-test scopes
// ---------------------------------------------------------------------------------------------------------------

/** Options of `close()`. */
export interface CloseOptions {
  /** How long to wait for clients to leave before destroying their sockets. @defaultValue the `shutdownTimeoutMs` option */
  timeoutMs?: number
}

/** A running test server. Every method is synchronous unless it returns a Promise. */
export interface TestServer {
  /** `http://127.0.0.1:PORT` (a loopback URL even when bound to `0.0.0.0`). */
  readonly url: string
  readonly port: number
  /** The address bound. */
  readonly host: string
  /** The control token, when one is required (given, or generated for a non-loopback host). */
  readonly token: string | undefined

  /** The absolute URL of a channel's stream, with optional query parameters (faults, `lastEventId`, `retryMs`). */
  streamUrl(channel?: string, query?: Record<string, string | number | boolean>): string
  /** Publishes an event (a bare value is the `data`); returns it with its id. */
  publish(channel: string, event: EventInput | string): PublishedEvent
  /** The events in a channel's replay log, oldest first (`[]` for an unknown channel). */
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
  scope(channel?: string): ChannelScope
  /** Back to a fresh state: faults cleared, runtime tickers stopped, streams ended, channels and history dropped. */
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

/**
 * One channel of a server, for one test: everything is aimed at that channel, and `dispose()` clears its faults,
 * stops its ticker, ends its streams and forgets it. What the Playwright fixture hands each test.
 */
export interface ChannelScope {
  readonly channel: string
  readonly server: TestServer
  /** The channel's stream URL. */
  readonly url: string
  streamUrl(query?: Record<string, string | number | boolean>): string
  publish(event: EventInput | string): PublishedEvent
  events(): PublishedEvent[]
  /** Injects a fault on this channel (or on one of its connections). */
  inject(fault: Fault, target?: {connection?: string}): FaultHandle
  clearFaults(): number
  resume(): number
  connections(): ConnectionRecord[]
  waitForConnection(predicate?: ConnectionPredicate, options?: WaitForConnectionOptions): Promise<ConnectionRecord>
  /**
   * The channel's connections one by one, in arrival order: the first call resolves with the first connection
   * (even if it arrived before the call), the next call with the second, and so on.
   */
  nextConnection(options?: WaitOptions): Promise<ConnectionRecord>
  waitForClose(connection: ConnectionRecord | string, options?: WaitOptions): Promise<ConnectionRecord>
  startTicker(options?: Omit<TickerOptions, 'channel'>): Ticker
  dispose(): void
}
