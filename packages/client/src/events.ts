import type {HoldfastError} from './errors'

/** What the response said when a stream opened: the members of an {@link OpenEvent}. */
export interface OpenEventInit {
  /** The response's HTTP status (200: any other fails the connection). */
  readonly status: number
  /** The response's headers: a server version, a rate limit, a request id for support. */
  readonly headers: Headers
  /** The URL the response came from, after redirects (with the Last-Event-ID query parameter, if one was sent). */
  readonly url: string
  /** Whether the request was redirected, as fetch's `Response.redirected` says. */
  readonly redirected: boolean
  /**
   * How the stream travels: `'stream'`, or `'poll'` while a `transport` strategy long-polls (a `TransportName`, spelt
   * out here so that the declarations of this file import nothing).
   */
  readonly transport: 'stream' | 'poll'
}

/**
 * [ext] The `open` event, with what the response said: status, headers, final URL, whether it was redirected, the
 * transport. Drop-in code sees a plain `Event` of type `open`, as the spec has it. For a `SharedEventSource`, the
 * response of the leading tab's connection. A server's own `event: open` arrives as a `MessageEvent` instead,
 * without these members.
 */
// Its members, declared by merging (one `Object.assign` sets them all):
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface OpenEvent extends OpenEventInit {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class OpenEvent extends Event {
  constructor(init: OpenEventInit) {
    super('open')
    Object.assign(this, init)
  }
}

/**
 * The `error` event of a connection failure. It is a plain `Event` to drop-in code; Holdfast code reads
 * `event.error` for what failed. After it, `readyState` says what happens next: CONNECTING (a reconnect follows) or
 * CLOSED (for good). A server's own `event: error` arrives as a `MessageEvent` instead, without these members.
 */
export class ConnectionErrorEvent extends Event {
  /** What failed. */
  declare readonly error: HoldfastError
  /**
   * [ext] The HTTP status, when a response was received; as the `eventsource` package's `ErrorEvent.code` has it
   * (not to be confused with `error.code`, Holdfast's string code).
   */
  declare readonly code: number | undefined
  /** [ext] The error's message, as the `eventsource` package's `ErrorEvent.message` has it. */
  declare readonly message: string
  constructor(error: HoldfastError) {
    super('error')
    this.error = error
    this.code = error.status
    this.message = error.message
  }
}

/** [ext] Fired before every reconnection attempt is scheduled. `close()` in a handler cancels the attempt. */
export class ReconnectingEvent extends Event {
  /** The number of the attempt about to be made: 1 for the first after a healthy stream. */
  declare readonly attempt: number
  /** Milliseconds until the attempt: backoff and jitter, or the server's `Retry-After`. */
  declare readonly delay: number
  /** The failure that caused the reconnect. */
  declare readonly error: HoldfastError
  constructor(attempt: number, delay: number, error: HoldfastError) {
    super('reconnecting')
    this.attempt = attempt
    this.delay = delay
    this.error = error
  }
}

/**
 * The events a stream delivers: a real `MessageEvent` whose `data`, `lastEventId` and `origin` live in private
 * fields. Passing them through the constructor's init dictionary instead makes the browser convert every member of
 * it, which cost more than all the rest of the per-event work (parsing and dispatch included) together.
 */
export class StreamEvent extends MessageEvent<unknown> {
  readonly #data: unknown
  readonly #lastEventId: string
  readonly #origin: string
  /** `data`: the string received, or what the source's `parse` step made of it. */
  constructor(type: string, data: unknown, lastEventId: string, origin: string) {
    super(type)
    this.#data = data
    this.#lastEventId = lastEventId
    this.#origin = origin
    // DOM emulations that give every event its own `data` (happy-dom) hide the getters below: then set them as own.
    if (Object.hasOwn(this, 'data'))
      Object.defineProperties(this, {data: {value: data}, lastEventId: {value: lastEventId}, origin: {value: origin}})
  }
  override get data(): unknown {
    return this.#data
  }
  override get lastEventId(): string {
    return this.#lastEventId
  }
  override get origin(): string {
    return this.#origin
  }
}
