import {startConnection, type Connection, type ConnectionSink} from './connection'
import type {NormalizedOptions} from './options'
import {HoldfastError} from './errors'
import type {UndeclaredType, HoldfastEventSourceEventMap, EventSourceInitArgs, MessageEventOf} from './event-map'
import {ConnectionErrorEvent, OpenEvent, ReconnectingEvent, StreamEvent, type OpenEventInit} from './events'
import {normalizeOptions} from './options'
import type {TransportName} from './transport-strategy'
import type {
  EventSourceStats,
  HoldfastEventSourceInit,
  MessageMap,
  MessageOf,
  MessageType,
  StreamMessage,
  SubscribeOptions,
  UntypedMessages,
} from './types'

export type {HoldfastEventSourceEventMap, MessageErrorEvent, MessageEventOf} from './event-map'

/**
 * An event handler attribute's type. `this` is typed as the DOM's EventSource, as in lib.dom, so that handlers
 * written for the native class type-check unchanged (the instance passed is Holdfast's).
 */
type Handler<E> = ((this: globalThis.EventSource, event: E) => unknown) | null
/** A handler attribute's listener: an EventListener object, whose `handleEvent` calls the current handler. */
type HandlerEntry = {callback: (this: unknown, event: Event) => unknown; handleEvent: (event: Event) => void}

/**
 * @internal Where a subclass's init carries the function that starts its connection (`SharedEventSource` runs one
 * shared across tabs): the facade runs whichever connection it is given, and cannot tell them apart.
 */
export const START = Symbol()
/** @internal */
export type Start = (url: string, options: NormalizedOptions, sink: ConnectionSink, owner?: EventTarget) => Connection

/** @internal The method by which `@holdfast/client/iterate` attaches a consumer that reads at its own pace. */
export const CONSUME = Symbol()
/** @internal A consumer the source ends when it closes, and asks before reading each chunk. */
export interface Consumer {
  /** The source closed: with its fatal error, or its `signal`'s reason, or neither (`close()`). */
  end(error?: unknown): void
  /** A promise while the consumer is too far behind: the source reads no more until it resolves. */
  pressure(): Promise<void> | undefined
}

function baseUrl(): string | undefined {
  const g = globalThis as {document?: {baseURI?: string}; location?: {href?: string}}
  return g.document?.baseURI ?? g.location?.href
}

/**
 * A drop-in, fetch-based `EventSource`: the WHATWG interface and behaviour, plus an idle watchdog, exponential
 * backoff with jitter, status-aware retry, Last-Event-ID resume and observable reconnects.
 *
 * @example
 * const source = new EventSource('/feed', {headers: async () => ({Authorization: `Bearer ${await token()}`})})
 * source.onmessage = (event) => render(JSON.parse(event.data))
 * source.addEventListener('reconnecting', (event) => console.info(`retry #${event.attempt} in ${event.delay} ms`))
 *
 * [ext] `M` declares the stream's event types and their data, `{price: Quote; trade: Trade}`: listeners,
 * `subscribe` and `events()` are checked against it, and a `parse` step that makes the data is required (unless it
 * is all strings).
 * @example
 * const feed = new EventSource<{price: Quote; trade: Trade}>('/feed', {parse: (data) => JSON.parse(data)})
 * feed.addEventListener('price', (event) => show(event.data.bid)) // event.data: Quote
 */
// Typed `removeEventListener` overloads, merged into the class: the inherited EventTarget method implements them.
export interface EventSource<M extends MessageMap = UntypedMessages> {
  removeEventListener<K extends keyof HoldfastEventSourceEventMap>(
    type: K,
    listener: (this: EventSource<M>, event: HoldfastEventSourceEventMap<M>[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void
  removeEventListener<K extends MessageType<M>>(
    type: K,
    listener: (this: EventSource<M>, event: MessageEventOf<M, K>) => unknown,
    options?: boolean | EventListenerOptions,
  ): void
  removeEventListener(
    type: UndeclaredType<M>,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class EventSource<M extends MessageMap = UntypedMessages> extends EventTarget {
  declare static readonly CONNECTING: 0
  declare static readonly OPEN: 1
  declare static readonly CLOSED: 2
  declare readonly CONNECTING: 0
  declare readonly OPEN: 1
  declare readonly CLOSED: 2

  readonly #url: string
  readonly #withCredentials: boolean
  readonly #connection: Connection
  readonly #signal: AbortSignal | undefined
  readonly #abort = (): void => this.close()
  /** Types that ever had a listener: events of other types are never built. Never shrinks, so never misses. */
  readonly #listened = new Set<string>()
  readonly #handlers = new Map<string, HandlerEntry>()
  readonly #consumers = new Set<Consumer>()
  /** Copied on (un)subscribe, which is rare, so that delivery, which is hot, walks a plain array. */
  #subscribers: ReadonlyArray<{
    listener: (message: StreamMessage<string, unknown>) => void
    types?: ReadonlySet<string>
  }> = []

  /**
   * @param url - The stream's URL; a relative URL resolves against the document's base URL.
   * @throws DOMException `SyntaxError` when the URL cannot be parsed (as the native constructor).
   * @throws HoldfastError `invalid-option` when an option is not valid.
   */
  constructor(url: string | URL, ...init: EventSourceInitArgs<M>)
  constructor(url: string | URL, init?: HoldfastEventSourceInit | null) {
    super()
    const given = String(url)
    let parsed: URL
    try {
      // [spec] Parse the URL relative to the relevant settings object's base URL.
      parsed = new URL(given, baseUrl())
    } catch {
      throw new DOMException(`Failed to construct 'EventSource': The URL '${given}' is invalid.`, 'SyntaxError')
    }
    const options = normalizeOptions(init)
    this.#url = parsed.href
    this.#withCredentials = !!options.withCredentials
    const signal = (this.#signal = options.signal)
    const start: Start = (init as {[START]?: Start} | null | undefined)?.[START] ?? startConnection
    const sink = this.#sink()
    // [ext] A parse step (`@holdfast/client/parse`) wraps what the connection delivers.
    this.#connection = start(this.#url, options, options.parse?.wrap(sink, this) ?? sink, this)
    if (!signal?.aborted) signal?.addEventListener('abort', this.#abort)
  }

  /** [spec] The URL after parsing (redirects do not change it). */
  get url(): string {
    return this.#url
  }

  /** [spec] Whether the request was made with `credentials: 'include'`. */
  get withCredentials(): boolean {
    return this.#withCredentials
  }

  /** [spec] CONNECTING (0), OPEN (1) or CLOSED (2). */
  get readyState(): 0 | 1 | 2 {
    return this.#connection.readyState
  }

  /** [ext] The id that the next (re)connection sends as Last-Event-ID; `''` when there is none. */
  get lastEventId(): string {
    return this.#connection.lastEventId
  }

  /** [ext] A snapshot of the counters: connections, reconnects, messages, duplicates, bytes, last activity. */
  get stats(): EventSourceStats {
    return this.#connection.stats
  }

  /** [ext] How requests travel now: `'stream'`, or `'poll'` while a `transport` strategy long-polls. */
  get transport(): TransportName {
    return this.#connection.transport ?? 'stream'
  }

  /**
   * [spec] Event handler attributes: `null` until set. [ext] `open` receives an {@link OpenEvent} (a server's own
   * `event: open` a `MessageEvent`), typed as an `Event` whose extensions may be missing, for drop-in compatibility.
   */
  declare onopen: Handler<Event & Partial<OpenEventInit>>
  declare onmessage: Handler<HoldfastEventSourceEventMap<M>['message']>
  /**
   * Receives a {@link ConnectionErrorEvent}, or a server's own `event: error` (a `MessageEvent`, without `error`);
   * typed as an `Event` whose extensions may be missing, for drop-in compatibility.
   */
  declare onerror: Handler<Event & Partial<Pick<ConnectionErrorEvent, 'error' | 'code' | 'message'>>>
  /** [ext] */
  declare onreconnecting: Handler<HoldfastEventSourceEventMap['reconnecting']>

  /** [spec] Aborts any connection or pending reconnection; readyState CLOSED; no further events. */
  close(): void {
    this.#connection.close()
  }

  /**
   * [ext] Connects again now, with the Last-Event-ID and the backoff reset: from CONNECTING or OPEN, the attempt in
   * progress (or the reconnect waiting) is dropped; once CLOSED, by `close()` or a fatal error, the source starts
   * again. No event fires for it: `readyState` is CONNECTING when it returns, and `open` follows (or the `error` of
   * the new attempt). A source closed by its `signal` stays closed.
   * @example headers.token = await refreshToken(); source.reconnect()
   */
  reconnect(): void {
    if (this.#signal?.aborted) return
    this.#signal?.addEventListener('abort', this.#abort)
    this.#connection.reconnect()
  }

  /**
   * [ext] The fastest way to consume a stream: `listener` is called with a plain {@link StreamMessage} for every
   * message (of `types`, when given), and no DOM event is built for it. Returns the function that unsubscribes.
   * A listener that throws is reported like a throwing event listener and does not stop the stream.
   * @example const unsubscribe = source.subscribe(({type, data}) => store.apply(type, JSON.parse(data)))
   */
  subscribe<K extends MessageType<M> = MessageType<M>>(
    listener: (message: MessageOf<M, K>) => void,
    {types}: SubscribeOptions<K> = {},
  ): () => void {
    const list = typeof types === 'string' ? [types] : types
    if (typeof listener !== 'function' || (list && !(Array.isArray(list) && list.every((t) => typeof t === 'string'))))
      throw new HoldfastError('invalid-option', 'Invalid subscribe: a listener function, string `types`')
    const subscriber = {
      listener: listener as (message: StreamMessage<string, unknown>) => void,
      types: list && new Set(list),
    }
    this.#subscribers = [...this.#subscribers, subscriber]
    return () => {
      // A dispatch under way walks the list it started with: as a removed event listener, it is not called from it.
      subscriber.listener = () => {}
      this.#subscribers = this.#subscribers.filter((other) => other !== subscriber)
    }
  }

  /** @internal Attaches a consumer (see `@holdfast/client/iterate`); returns the function that detaches it. */
  [CONSUME](consumer: Consumer): () => boolean {
    this.#consumers.add(consumer)
    return () => this.#consumers.delete(consumer)
  }

  override addEventListener<K extends keyof HoldfastEventSourceEventMap>(
    type: K,
    listener: (this: EventSource<M>, event: HoldfastEventSourceEventMap<M>[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void
  override addEventListener<K extends MessageType<M>>(
    type: K,
    listener: (this: EventSource<M>, event: MessageEventOf<M, K>) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void
  override addEventListener(
    type: UndeclaredType<M>,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | ((event: never) => unknown) | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    this.#listened.add(type)
    super.addEventListener(type, listener as EventListener | null, options)
  }

  static {
    // [spec] The constants live on the constructor and its prototype (and so on every instance), read-only (a
    // descriptor's `writable` and `configurable` default to false).
    ;['CONNECTING', 'OPEN', 'CLOSED'].forEach((name, value) => {
      const constant = {value, enumerable: true}
      Object.defineProperty(this, name, constant)
      Object.defineProperty(this.prototype, name, constant)
    })
    // [spec] The event handler attributes: the first assignment adds a listener in registration order,
    // reassignment keeps that place, and `null` (or a non-function) removes it.
    for (const type of ['open', 'message', 'error', 'reconnecting']) {
      Object.defineProperty(this.prototype, `on${type}`, {
        get(this: EventSource) {
          return this.#handlers.get(type)?.callback ?? null
        },
        set(this: EventSource, handler: unknown) {
          const entry = this.#handlers.get(type)
          if (typeof handler !== 'function') {
            if (entry) this.removeEventListener(type, entry)
            this.#handlers.delete(type)
          } else if (entry) {
            entry.callback = handler as HandlerEntry['callback']
          } else {
            const created: HandlerEntry = {
              callback: handler as HandlerEntry['callback'],
              handleEvent: (event) => created.callback.call(this, event),
            }
            this.#handlers.set(type, created)
            this.addEventListener(type, created)
          }
        },
        enumerable: true,
        configurable: true,
      })
    }
  }

  #sink(): ConnectionSink {
    return {
      open: (response) => this.dispatchEvent(new OpenEvent(response)),
      message: (type, data, lastEventId, origin) => {
        // The per-event hot path: one plain object for subscribers, no DOM event for a type nobody listens to.
        const subscribers = this.#subscribers
        if (subscribers.length) {
          const message = {type, data, lastEventId, origin}
          for (let i = 0; i < subscribers.length; i++) {
            const {listener, types} = subscribers[i]!
            if (types && !types.has(type)) continue
            try {
              listener(message)
            } catch (error) {
              // Reported as the platform reports a throwing event listener; the stream goes on.
              queueMicrotask(() => {
                throw error
              })
            }
          }
        }
        if (this.#listened.has(type)) this.dispatchEvent(new StreamEvent(type, data, lastEventId, origin))
      },
      error: (error) => this.dispatchEvent(new ConnectionErrorEvent(error)),
      reconnecting: (attempt, delay, error) => {
        if (this.#listened.has('reconnecting')) this.dispatchEvent(new ReconnectingEvent(attempt, delay, error))
      },
      closed: (error) => {
        this.#signal?.removeEventListener('abort', this.#abort)
        // A signal's `reason` is set once it aborts: the reason it closed the source, if it did.
        for (const consumer of [...this.#consumers]) consumer.end(error ?? this.#signal?.reason)
      },
      // Every consumer is asked, so that each one's stall guard runs: a shared stream reads on while one is behind.
      backpressure: () => {
        let pause: Promise<void> | undefined
        for (const consumer of this.#consumers) pause = consumer.pressure() ?? pause
        return pause
      },
    }
  }
}
