// What a connection and its owner (the EventSource facade, or a shared stream's member) say to each other.
import type {HoldfastError} from './errors'
import type {OpenEventInit} from './events'
import type {TransportName} from './transport-strategy'
import type {EventSourceStats} from './types'

/** What a connection reports to the object that owns it. Every call happens after the state changed. */
export interface ConnectionSink {
  open(response: OpenEventInit): void
  /**
   * `data`: the string received (what a parse step made of it, once one wrapped the sink: see `ParseStep`). `id`:
   * the event's own `id:` field, `undefined` when it had none (its `lastEventId` carries an earlier one).
   */
  message(type: string, data: unknown, lastEventId: string, origin: string, id?: string): void
  error(error: HoldfastError): void
  reconnecting(attempt: number, delay: number, error: HoldfastError): void
  /** The connection closed: with its fatal error, or neither (`close()`). */
  closed(error?: HoldfastError): void
  /**
   * Called once per network chunk, after its messages were delivered: a promise while a consumer is too far behind
   * (no more chunks are read until it resolves).
   */
  backpressure(): Promise<void> | undefined
}

/** The connection as its owner sees it. */
export interface Connection {
  /** [spec] CONNECTING (0) while connecting, deciding, waiting or paused; OPEN (1); CLOSED (2). */
  readonly readyState: 0 | 1 | 2
  readonly lastEventId: string
  readonly stats: EventSourceStats
  /** [ext] The transport of the attempt in progress or the last one, when a `transport` strategy chooses it. */
  readonly transport?: TransportName
  /** Stops everything at once and for good; no event follows. */
  close(): void
  /**
   * [ext] Drops the attempt in progress or the pending reconnect, and connects at once with the Last-Event-ID and
   * the backoff reset; after a close, starts again. No event fires for it.
   */
  reconnect(): void
}
