import type {HoldfastError, HoldfastEventSourceInit, MessageMap, MessageType, StreamMessage} from '@holdfast/client'

/**
 * What the hook needs of an event source: the EventSource interface's listening part. Holdfast's `EventSource`,
 * the browser's, and `SharedEventSource` from `@holdfast/client/shared` all fit.
 */
export interface EventSourceLike {
  /** 0 `CONNECTING`, 1 `OPEN`, 2 `CLOSED`. */
  readonly readyState: number
  /** The id the next connection sends, when the source keeps one (Holdfast's does). */
  readonly lastEventId?: string
  addEventListener(type: string, listener: (event: Event) => void): void
  removeEventListener(type: string, listener: (event: Event) => void): void
  close(): void
  /**
   * Holdfast's plain-callback path, used when the source has it: messages as plain objects, no DOM event per
   * message. Returns the function that unsubscribes.
   */
  subscribe?(listener: (message: StreamMessage) => void, options: {types: readonly string[]}): () => void
}

/** Makes the source of a stream: `new EventSource(url, init)` from `@holdfast/client` unless you pass your own. */
export type CreateEventSource = (url: string, init: HoldfastEventSourceInit) => EventSourceLike

/** A message as the hook hands it out: the stream's message, with `data` through your `parse`. */
export interface ParsedMessage<T> {
  /** The event type: `'message'` unless the server named one with `event:`. */
  readonly type: string
  /** The data, as `parse` returned it (the raw string without `parse`). */
  readonly data: T
  /** The last event ID when the message was dispatched. */
  readonly lastEventId: string
  /** The origin of the stream. */
  readonly origin: string
}

/** Folds each message into the state the hook returns as `data`. Runs once per message, outside render. */
export type MessageReducer<S, T> = (state: S, message: ParsedMessage<T>) => S

/**
 * The connection's life as the hook sees it:
 * - `idle`: no connection: disabled (`enabled: false` or a `null` URL) or rendering on the server.
 * - `connecting`: the first connection is being made.
 * - `open`: the stream is open.
 * - `reconnecting`: it failed and will try again (`reconnecting` says when).
 * - `closed`: closed for good: by `close()`, or by an error the source does not retry (`error` says which).
 */
export type StreamStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'

/** The next reconnection attempt, from the source's `reconnecting` event. */
export interface ReconnectInfo {
  /** 1 for the first attempt after a healthy stream, then 2, 3… */
  readonly attempt: number
  /** The delay before it, in ms (backoff, jitter and `Retry-After` included). */
  readonly delay: number
  /** When it starts, in ms since the epoch: for a countdown. */
  readonly at: number
  /** What failed. */
  readonly error: HoldfastError
}

/**
 * Options of {@link useEventSource}: the hook's own, and every option of Holdfast's `EventSource` (whose `parse` and
 * `signal` the hook takes for each component instead).
 */
export interface UseEventSourceOptions<T = string> extends Omit<HoldfastEventSourceInit, 'parse' | 'signal'> {
  /**
   * `false` closes the connection (once no other component needs it) and opens none; `true` again resumes from
   * the last event id the stream saw. `data` keeps its value meanwhile. @defaultValue `true`
   */
  enabled?: boolean
  /**
   * `false` starts the component idle: it opens nothing until `open()` is called (as VueUse's `immediate: false`).
   * `enabled` still applies: `open()` on a disabled component takes effect once it is enabled. @defaultValue `true`
   */
  immediate?: boolean
  /**
   * `data` before the first message (after `parse`'s type): on the server, during hydration, and until a message
   * arrives; again when the stream changes (a new URL or key). A component joining a running stream starts from its
   * latest message instead. With a reducer, use `initial`. @defaultValue `undefined`
   */
  initialData?: T
  /** The event types this component receives. @defaultValue `['message']` */
  types?: readonly string[]
  /**
   * Turns a message's data into `T` (`JSON.parse`, a schema's `parse`). A `parse` that throws skips that message
   * and sets `parseError`; `data` keeps its value. @defaultValue the string as received
   */
  parse?: (data: string, message: StreamMessage) => T
  /**
   * Identifies the stream: components with the same key share one connection. @defaultValue the URL and every
   * option of the source that is not a function (`lastEventId` excepted)
   */
  key?: string
  /**
   * Makes the source. Pass `(url, init) => new SharedEventSource(url, init)` to share one connection across tabs.
   * Used when the stream's first component connects. @defaultValue `new EventSource(url, init)` from `@holdfast/client`
   */
  create?: CreateEventSource
  /** Called with every message of `types` this component receives, after `parse`. The latest function is called. */
  onMessage?: (message: ParsedMessage<T>) => void
  /**
   * Called when the stream opens, with the `open` event: from Holdfast's sources an `OpenEvent`, which carries what
   * the response said (`status`, `headers`, `url`, `redirected`, `transport`).
   */
  onOpen?: (event: Event) => void
  /**
   * Called on every connection failure: the `HoldfastError` (undefined from sources that carry none), and when the
   * source cannot be made (an invalid URL or option). A server's own `event: error` is a message, not a failure.
   */
  onError?: (error: HoldfastError | undefined) => void
  /** Called before every reconnection attempt. */
  onReconnecting?: (info: ReconnectInfo) => void
  /**
   * [ext] Ties this component's use of the stream to an `AbortController`: once aborted, the component leaves the
   * stream (closed when no other component needs it), `status` is `closed` and `reconnect()` does nothing. Another
   * signal, not aborted, subscribes it again, from the last event id it saw. @defaultValue none
   */
  signal?: AbortSignal
}

/** Options with a reducer: `data` is the state the reducer folds every message into. */
export interface UseEventSourceReducerOptions<T, S> extends UseEventSourceOptions<T> {
  reducer: MessageReducer<S, T>
  /** The state before the first message, and after the stream changes (a new URL or key). */
  initial: S
  /** A reducer starts from `initial`. */
  initialData?: undefined
}

/** What {@link useEventSource} returns. `Type`: the event types of a declared stream (see `withTypes`). */
export interface EventSourceResult<D, Type extends string = string> {
  /** The latest message's parsed data (`initialData` before the first), or the reducer's state. */
  readonly data: D
  /** The latest message this component received, unparsed. */
  readonly message: StreamMessage<Type> | undefined
  /** As EventSource's: 0 `CONNECTING`, 1 `OPEN`, 2 `CLOSED` (also while idle). */
  readonly readyState: 0 | 1 | 2
  readonly status: StreamStatus
  /**
   * The error of the latest failure; cleared when the stream opens again. A URL or options the source rejects come
   * here too (code `invalid-option`, `cause` what the constructor threw), with `status` `closed`.
   */
  readonly error: HoldfastError | undefined
  /** The next reconnection attempt while `status` is `reconnecting`. */
  readonly reconnecting: ReconnectInfo | undefined
  /** What the latest `parse` that threw threw; cleared by the next message that parses. */
  readonly parseError: unknown
  /** The last event id this component saw. */
  readonly lastEventId: string
  /** Closes the stream for every component that shares it, until `open()` or `reconnect()` (or it is mounted anew). */
  close(): void
  /**
   * Opens the stream if it is not open or connecting: a component made with `immediate: false`, or a stream closed
   * by `close()` or by a failure the source gave up on. Resumes from the last event id the stream saw.
   */
  open(): void
  /** Closes and opens the stream at once, resuming from the last event id the stream saw; resets the backoff. */
  reconnect(): void
}

/** A message of a declared stream as the hook hands it out: a union of its types, which `type` discriminates. */
export type ParsedMessageOf<M extends MessageMap, K extends MessageType<M>> = {
  [T in K]: Omit<ParsedMessage<M[T]>, 'type'> & {readonly type: T}
}[K]

/**
 * The options of a declared stream's hook, for the types `K` of this component: `types` among the declared ones,
 * and a `parse` that returns their data, required unless it is all strings.
 */
export type TypedOptions<M extends MessageMap, K extends MessageType<M>> = Omit<
  UseEventSourceOptions<M[K]>,
  'types' | 'parse' | 'onMessage'
> & {
  /** The event types this component receives, among the declared ones. @defaultValue `['message']` */
  types?: readonly K[]
  /** Called with every message of `types` this component receives, after `parse`. */
  onMessage?: (message: ParsedMessageOf<M, K>) => void
} & ([M[K]] extends [string]
    ? {parse?: (data: string, message: StreamMessage<K>) => M[K]}
    : {parse: (data: string, message: StreamMessage<K>) => M[K]})

/**
 * [ext] `useEventSource.withTypes<M>()`: the same hook, checked against a stream's declared event types and their
 * data, `{price: Quote; trade: Trade}`. Declare it once, next to the stream's URL.
 */
export interface TypedUseEventSource<M extends MessageMap, Extra = unknown> {
  <K extends MessageType<M> = 'message' & MessageType<M>>(
    url: string | null,
    options?: TypedOptions<M, K> & Extra & {reducer?: undefined},
  ): EventSourceResult<M[K] | undefined, K>
  <K extends MessageType<M>, S>(
    url: string | null,
    options: TypedOptions<M, K> & Extra & {reducer: (state: S, message: ParsedMessageOf<M, K>) => S; initial: S},
  ): EventSourceResult<S, K>
}
