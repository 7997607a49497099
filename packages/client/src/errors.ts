/**
 * What went wrong, as a stable machine-readable code. Compare codes, never messages.
 *
 * - `network`: `fetch` rejected (DNS, refused, reset, offline, CORS, a 307 or 308 of a `ReadableStream` body) or the
 *   body errored mid-stream.
 * - `headers`: the `headers` function threw or rejected.
 * - `http-status`: the server answered something other than 200 or 204.
 * - `no-content`: the server answered 204, which by the spec means "stop reconnecting".
 * - `content-type`: a 200 whose `Content-Type` is not `text/event-stream`.
 * - `stream-ended`: the response body ended (the server or a proxy closed the stream), or the tab that ran a
 *   `SharedEventSource`'s stream went away and its request may not be sent again.
 * - `idle-timeout`: no bytes arrived for `idleTimeout` ms, during connect or while open.
 * - `event-too-large`: more than `maxEventSize` characters were buffered without completing an event.
 * - `retries-exhausted`: `maxAttempts` consecutive reconnection attempts failed; `cause` is the last failure.
 * - `buffer-overflow`: an async iterator that is not being consumed fell `bufferSize` events behind.
 * - `invalid-option`: an option passed to the constructor, `subscribe` or `events` is not valid (or a
 *   `ReadableStream` body would have to be sent a second time).
 * - `invalid-response`: the `fetch` resolved with something that is not a usable response (no readable body).
 * - `invalid-data`: the source's `parse` step threw on a message's data (the `messageerror` event carries it;
 *   `cause` is what it threw). The stream goes on.
 */
export type HoldfastErrorCode =
  | 'network'
  | 'headers'
  | 'http-status'
  | 'no-content'
  | 'content-type'
  | 'stream-ended'
  | 'idle-timeout'
  | 'event-too-large'
  | 'retries-exhausted'
  | 'buffer-overflow'
  | 'invalid-option'
  | 'invalid-response'
  | 'invalid-data'

/** Details carried by a {@link HoldfastError}; everything but the code is optional. */
export interface HoldfastErrorDetails {
  /** The URL of the request that failed (after the Last-Event-ID query parameter, if any). */
  url?: string
  /** The HTTP status, for `http-status`, `no-content` and `content-type`. */
  status?: number
  /** The response headers, when a response was received. */
  headers?: Headers
  /** The delay the server asked for with `Retry-After`, in milliseconds. */
  retryAfter?: number
  /** The first bytes of an error response's body (at most 1 KiB), decoded as UTF-8. */
  body?: string
  /** The underlying error: a `fetch` rejection, a parser error, what a `parse` step threw, or the last failure. */
  cause?: unknown
}

/**
 * The one error type Holdfast produces. The `error` event carries it as `event.error`; async iteration throws
 * it; the constructor throws it for bad options (code `invalid-option`).
 */
export class HoldfastError extends Error {
  declare readonly name: 'HoldfastError'
  declare readonly code: HoldfastErrorCode
  declare readonly url?: string
  declare readonly status?: number
  declare readonly headers?: Headers
  declare readonly retryAfter?: number
  declare readonly body?: string

  constructor(code: HoldfastErrorCode, message: string, details: HoldfastErrorDetails = {}) {
    super(message, details) // sets `cause`, when given, as the standard non-enumerable property
    Object.assign(this, details, {name: 'HoldfastError', code})
  }

  /** True for a HoldfastError from any realm or copy of the library (checks the brand, name and code, not identity). */
  static is(value: unknown): value is HoldfastError {
    return (
      Object.prototype.toString.call(value) === '[object Error]' &&
      (value as Error).name === 'HoldfastError' &&
      typeof (value as {code?: unknown}).code === 'string'
    )
  }
}
