import type {IncomingHttpHeaders} from 'node:http'
import type {FaultSource, FaultType} from './faults.js'

// Events and channels

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

// Connections

/** Who ended a connection. */
export type ClosedBy = 'client' | 'server' | 'fault'

/**
 * Why a connection ended:
 * - `client-closed`: the client went away.
 * - `slow-consumer`: the client read too slowly and its queue passed `maxQueuedBytes`.
 * - `shutdown`: the server closed; `reset`: `reset()` ended every stream; `scope-disposed`: its Playwright test ended.
 * - `fault-drop`, `fault-end`, `fault-status`, `fault-refuse`: a fault ended it.
 * - `poll-events`, `poll-timeout`: a long poll (`?transport=poll`) ended by itself, after sending its events or after
 *   waiting its whole time for none.
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
  | 'poll-events'
  | 'poll-timeout'

/**
 * How a stream request asked to receive its events: `stream` (the response stays open, the default) or `poll` (a
 * long poll, `?transport=poll`: the events after its Last-Event-ID at once, or the next ones, then the response ends).
 */
export type Transport = 'stream' | 'poll'

/** The HTTP version a request came in on: `h2` only on a server started with the `http2` option. */
export type HttpProtocol = 'http/1.0' | 'http/1.1' | 'h2'

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
  /** `poll` for a long poll (`?transport=poll`), `stream` otherwise. */
  transport: Transport
  /** The HTTP version of the request: `h2` for HTTP/2 (the `http2` option), else `http/1.1` or `http/1.0`. */
  protocol: HttpProtocol
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
  /**
   * Reject with a `timeout` error after this many ms; `Infinity` waits without a limit. @defaultValue `5000`, or
   * the scope's default (in the Playwright fixture: the time left of the test's timeout)
   */
  timeoutMs?: number
}

/** Options of `waitForConnection`. */
export interface WaitForConnectionOptions extends WaitOptions {
  /** Only consider connections that arrived after this one (a record or its id). */
  after?: ConnectionRecord | string
}
