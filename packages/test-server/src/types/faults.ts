import type {ConnectionRecord, WaitOptions} from './connections.js'

// Faults: one vocabulary for the programmatic API, the HTTP control endpoints and per-request query parameters.

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
