import type {TransportStrategy} from './transport-strategy'
import type {HoldfastError} from './errors'

/** What the `headers` function receives before each connection attempt. */
export interface HeadersContext {
  /** 0 for the first connection, then the number of the reconnection attempt (resets after a healthy stream). */
  attempt: number
  /** The id that will be sent as Last-Event-ID, or `''` when there is none. */
  lastEventId: string
}

/** Headers as a value, or a function (sync or async) called before every connection attempt. */
export type HeadersOption = HeadersInit | ((context: HeadersContext) => HeadersInit | Promise<HeadersInit>)

/** Where the last event id travels on a (re)connection. */
export type LastEventIdTransport = 'header' | 'query' | 'both'

/** The subset of the Web Storage API used to persist the last event id. */
export interface StorageLike {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/**
 * The network and page state Holdfast reacts to. The default reads `navigator.onLine`, `document.visibilityState`
 * and listens for `online`, `offline` and `visibilitychange`; pass your own to plug in another signal (React
 * Native's NetInfo, say) or to drive it in tests.
 */
export interface Environment {
  /** `false` only when the device is known to be offline. */
  isOnline(): boolean
  /** `true` when the page is hidden (a background tab). */
  isHidden(): boolean
  /** Calls `onChange` whenever either answer may have changed; returns the function that unsubscribes. */
  subscribe(onChange: () => void): () => void
}

/**
 * Options for Holdfast's `EventSource`. `withCredentials` is the standard `EventSourceInit`; everything else is an
 * extension, and every default is in {@link defaultOptions}.
 */
export interface HoldfastEventSourceInit {
  /** [spec] Send cookies and HTTP auth cross-origin (`credentials: 'include'`). @defaultValue `false` */
  withCredentials?: boolean

  /**
   * Extra request headers, or a function (sync or async) called before every connection attempt so that tokens
   * stay fresh. `Last-Event-ID` is set by Holdfast.
   * @example `headers: async () => ({Authorization: \`Bearer ${await getToken()}\`})`
   */
  headers?: HeadersOption
  /** HTTP method. A non-GET stream is not re-sent automatically unless `retryNonGet` allows it. @defaultValue `'GET'` */
  method?: string
  /** Request body, for POST and other methods. A `ReadableStream` is sent once: a failure of it is never retried. */
  body?: BodyInit | null
  /** The `fetch` to use (a seam for tests, proxies and instrumentation). @defaultValue `globalThis.fetch` at call time */
  fetch?: typeof globalThis.fetch

  /** The last event id to start from, sent on the first connection. Persisted storage, when set, wins. @defaultValue `''` */
  lastEventId?: string
  /** Send the last event id as the `Last-Event-ID` header, a query parameter, or both. @defaultValue `'header'` */
  lastEventIdIn?: LastEventIdTransport
  /** The query parameter's name when `lastEventIdIn` is `'query'` or `'both'`. @defaultValue `'lastEventId'` */
  lastEventIdParam?: string
  /**
   * Persist the last event id under this key so a page reload resumes where it left off. A string uses
   * `sessionStorage`; pass `{key, storage}` for another store (`localStorage`, an in-memory map). @defaultValue off
   */
  persistLastEventId?: string | {key: string; storage?: StorageLike}

  /**
   * Milliseconds without a single byte (event, comment, heartbeat, or part of a line) after which the connection
   * is torn down and re-established. Also bounds the wait for response headers. 0 disables. @defaultValue `45000`
   */
  idleTimeout?: number
  /** The initial reconnection time in ms; a server `retry:` field replaces it. @defaultValue `1000` */
  retryDelay?: number
  /** Multiplier applied to the delay after each consecutive failure. @defaultValue `2` */
  backoffFactor?: number
  /** Upper bound for the exponential delay in ms (never below the reconnection time itself). @defaultValue `30000` */
  maxRetryDelay?: number
  /** Up to `jitter × delay` of uniform random time added on top of the delay (never subtracted). @defaultValue `0.5` */
  jitter?: number
  /** Consecutive failed reconnection attempts before giving up. @defaultValue `Infinity` */
  maxAttempts?: number
  /** A stream open this long (ms) counts as healthy and resets the backoff, even without an event. @defaultValue `5000` */
  stableAfter?: number
  /** HTTP statuses that are retried with backoff; `[]` restores the exact spec behaviour. @defaultValue `[408, 429, 500, 502, 503, 504]` */
  retryStatuses?: readonly number[]
  /** The longest `Retry-After` honoured, in ms; longer values are clamped to it. @defaultValue `300000` */
  maxRetryAfter?: number
  /**
   * Overrides the retry decision for every failure. Return `true` to retry, `false` to close, or `undefined` to keep
   * Holdfast's decision. May be async: refresh a token after a 401, then return `true`. A hook that throws counts as
   * `false`. `attempt` is the number of the reconnection attempt that would follow.
   */
  shouldRetry?: (error: HoldfastError, attempt: number) => boolean | undefined | Promise<boolean | undefined>
  /** Allow automatic re-sending of a non-GET request (after a drop, on `online`, on a visible page). @defaultValue `false` */
  retryNonGet?: boolean

  /** Drop events whose id was among the last N delivered ids, and count them. 0 disables. @defaultValue `0` */
  dedupe?: number
  /** Maximum characters buffered for one event (or one unterminated line) before failing with `event-too-large`. @defaultValue `8388608` */
  maxEventSize?: number

  /** While the device is offline, wait without spending attempts; reconnect at once when it comes back. @defaultValue `true` */
  networkAware?: boolean
  /** Close the stream after the page has been hidden this many ms, and resume when visible. `false` disables. @defaultValue `false` */
  pauseWhenHidden?: number | false
  /** The network and page state to react to. @defaultValue the browser's globals, where they exist */
  environment?: Environment
  /** Random source for jitter, in [0, 1). A seam for tests. @defaultValue `Math.random` */
  random?: () => number

  /**
   * How requests travel: streaming (the default), or a strategy from `@holdfast/client/polling`: `pollTransport()`
   * long-polls, `autoTransport()` streams and falls back to long polls behind a proxy that buffers the stream.
   * @example `transport: autoTransport()`
   * @defaultValue streaming
   */
  transport?: TransportStrategy

  /**
   * Closes the source for good when aborted, as `close()` does: no event fires, everything is released, and an
   * async iterator over it rejects with `signal.reason`. An already aborted signal makes no request at all.
   * @defaultValue none
   */
  signal?: AbortSignal
  /**
   * A parse step for every message's data, from `@holdfast/client/parse`: `json`, or `parseWith(fn)` with a function
   * of your own (a schema's `parse`). It runs once per message, before any listener, subscriber or iterator sees it;
   * a message it throws on is delivered to none of them, and fires a `messageerror` event instead (its `error` is a
   * HoldfastError `invalid-data`): the stream goes on. Declare what it makes with the source's type parameter:
   * `new EventSource<{price: Quote}>(url, {parse: json})`.
   * @defaultValue none: data is the string received
   */
  parse?: ParseStep
}

/**
 * [ext] A parse step, made by `json` or `parseWith(fn)` from `@holdfast/client/parse` (which holds its code, so that
 * apps that parse nothing do not pay for it). `M`: the data it makes, by event type.
 */
export interface ParseStep<M extends MessageMap = MessageMap> {
  /**
   * The data it makes (a type, never a value). A string key, not a `unique symbol`: under node16 resolution an app
   * may load both the ESM and the CommonJS declarations, and two unique symbols would make two different types.
   */
  readonly '~holdfast.parseStep': () => M
}

/**
 * [ext] A stream's event types and the type of each one's data, declared once: `{price: Quote; trade: Trade}`.
 * Give it as the type parameter of `EventSource` (or `SharedEventSource`): listeners, `subscribe` and `events()` are
 * then checked against it. Without one, every name is allowed and data is a string.
 */
export type MessageMap = Record<string, unknown>

/** The map of a stream nobody declared: any event type, string data. */
export type UntypedMessages = Record<string, string>

/** The event types a map declares (every string for an undeclared stream). */
export type MessageType<M extends MessageMap> = keyof M & string

/** The messages of types `K` of a map, as a union that `type` discriminates. */
export type MessageOf<M extends MessageMap, K extends MessageType<M> = MessageType<M>> = {
  [T in K]: StreamMessage<T, M[T]>
}[K]

/**
 * A parse function, for `parseWith`: it returns the data of the message's type (`message.type`). It may throw: the
 * message then fires `messageerror` instead of reaching listeners.
 */
export type Parser<M extends MessageMap> = (data: string, message: StreamMessage<MessageType<M>>) => M[MessageType<M>]

/**
 * A message as `subscribe` and async iteration deliver it: plain data, not a DOM event, so it costs a fraction of a
 * `MessageEvent` to make and can be kept or sent elsewhere freely.
 */
export interface StreamMessage<Type extends string = string, Data = string> {
  /** The event type: `'message'` unless the server named one with `event:`. */
  readonly type: Type
  /** The data received, or what the source's parse step made of it. */
  readonly data: Data
  /** [spec] The last event ID string when the message was dispatched. */
  readonly lastEventId: string
  /** The origin of the stream's final URL. */
  readonly origin: string
}

/** Which messages a `subscribe` listener receives. */
export interface SubscribeOptions<Type extends string = string> {
  /** Event types to receive. @defaultValue every type */
  types?: Type | readonly Type[]
}

/** Counters for observability; a snapshot is returned by `source.stats`. */
export interface EventSourceStats {
  /** Connections that opened (200 + `text/event-stream`). */
  connections: number
  /** Reconnection attempts started. */
  reconnects: number
  /** Events dispatched (after duplicate suppression). */
  messages: number
  /** Events dropped as duplicates. */
  duplicates: number
  /** Body bytes received. */
  bytes: number
  /** When the last byte arrived (ms since the epoch), or `undefined` before the first. */
  lastActivityAt: number | undefined
}
