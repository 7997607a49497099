import {HoldfastError, type HoldfastEventSourceInit, type StreamMessage} from '@holdfast/client'
import {report} from './report'
import type {CreateEventSource, EventSourceLike, ReconnectInfo, StreamStatus} from './types'

/** A stream's connection state, shared by its components. Replaced (never mutated) on every change. */
export interface StreamState {
  readonly status: Exclude<StreamStatus, 'idle'>
  readonly readyState: 0 | 1 | 2
  readonly error: HoldfastError | undefined
  readonly reconnecting: ReconnectInfo | undefined
}

/** One component's interest in a stream. */
export interface StreamSubscriber {
  readonly types: readonly string[]
  /** A message of its types; `seq` orders it among every message of every stream (see {@link LatestMessage}). */
  message(message: StreamMessage, seq: number): void
  /** The state changed (after `open`, `error` and `reconnecting` below). */
  changed(): void
  /** The stream opened: the source's `open` event (an `OpenEvent` from Holdfast's sources). */
  open(event: Event): void
  error(error: HoldfastError | undefined): void
  reconnecting(info: ReconnectInfo): void
}

/** A stream's latest message of a type, numbered in the order messages arrived on every stream of the app. */
export interface LatestMessage {
  readonly seq: number
  readonly message: StreamMessage
}

const CONNECTING: StreamState = {status: 'connecting', readyState: 0, error: undefined, reconnecting: undefined}
const CLOSED: StreamState = {status: 'closed', readyState: 2, error: undefined, reconnecting: undefined}
/** Numbers messages across streams, so that a view can tell whether a stream's latest is newer than what it shows. */
let seq = 0

/** A server may name its own events `open`, `error` or `reconnecting`: they are messages (they carry `data`). */
const fromServer = (event: Event): boolean => 'data' in event

/** What the source's constructor threw, as the hook reports it: a `HoldfastError`, whatever threw it. */
function creationError(url: string, error: unknown): HoldfastError {
  if (HoldfastError.is(error)) return error
  const message = (error as {message?: unknown} | null)?.message
  const reason = typeof message === 'string' ? message : String(error)
  return new HoldfastError('invalid-option', reason, {url, cause: error})
}

/**
 * One connection shared by every component that uses the same stream: it opens when the first one attaches,
 * listens for the union of their event types, fans messages out, and closes one macrotask after the last one
 * detached, so that StrictMode's unmount and remount (or a component handing over to another in one commit)
 * keeps the connection instead of reconnecting.
 */
export class SharedStream {
  readonly key: string
  readonly #url: string
  #options: HoldfastEventSourceInit
  readonly #create: CreateEventSource
  readonly #onDisposed: (stream: SharedStream) => void

  #source: EventSourceLike | undefined
  #state: StreamState = CONNECTING
  /** Closed by `close()`, or its source could not be made: new components do not open it; `open()` does. */
  #stopped = false
  readonly #subscribers = new Set<StreamSubscriber>()
  /** The listener added to the current source for each message type someone wants (and for its own events). */
  readonly #typeListeners = new Map<string, (event: Event) => void>()
  /** With a source that has `subscribe`: the types subscribed to, and the function that unsubscribes. */
  #subscription: {types: string; unsubscribe: () => void} | undefined
  /** The latest message of each type, numbered, so a component that joins late starts from the current one. */
  readonly #latest = new Map<string, LatestMessage>()
  /** The last event id of a source that is gone (or the last message's, for sources that do not say theirs). */
  #lastEventId: string | undefined
  #disposeTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    key: string,
    url: string,
    options: HoldfastEventSourceInit,
    create: CreateEventSource,
    onDisposed: (stream: SharedStream) => void,
  ) {
    this.key = key
    this.#url = url
    this.#options = options
    this.#create = create
    this.#onDisposed = onDisposed
  }

  get state(): StreamState {
    return this.#state
  }

  /** The last event id the stream saw, where a new connection resumes; `undefined` before it saw any. */
  get lastEventId(): string | undefined {
    return this.#source?.lastEventId ?? this.#lastEventId
  }

  /** The newest message among `types`, if any arrived on this stream. */
  latest(types: readonly string[]): LatestMessage | undefined {
    let newest: LatestMessage | undefined
    for (const type of types) {
      const entry = this.#latest.get(type)
      if (entry && (!newest || entry.seq > newest.seq)) newest = entry
    }
    return newest
  }

  /** A subscriber's `types` changed: the source listens for the new union. */
  typesChanged(): void {
    this.#listenToTypes()
  }

  /** The options of the latest component to render: its functions (`headers`, `shouldRetry`…) are the ones called. */
  setOptions(options: HoldfastEventSourceInit): void {
    this.#options = options
  }

  /**
   * Adds a component; opens the connection if none is open, from `resumeFrom` when given (the last id the component
   * saw on an earlier connection), else from the `lastEventId` option. Returns `detach`.
   */
  attach(subscriber: StreamSubscriber, resumeFrom?: string): () => void {
    clearTimeout(this.#disposeTimer)
    this.#disposeTimer = undefined
    this.#subscribers.add(subscriber)
    if (!this.#source && !this.#stopped) this.#open(this.#lastEventId ?? resumeFrom)
    else this.#listenToTypes()
    return () => this.#detach(subscriber)
  }

  /** Closes the connection for every component, until `open()` or `reconnect()`. */
  close(): void {
    this.#stopped = true
    this.#closeSource()
    this.#setState({...CLOSED, error: this.#state.error})
  }

  /** Closes the connection for good, at once: a pending deferred close is cancelled (see `resetStreams`). */
  dispose(): void {
    clearTimeout(this.#disposeTimer)
    this.#disposeTimer = undefined
    this.close()
  }

  /** Opens the connection unless it is open or connecting (a source that will retry is connecting). */
  open(): void {
    if (this.#source && this.#source.readyState !== 2) return
    this.reconnect()
  }

  /** Closes and reopens at once, from the last event id the stream saw; a fresh source starts its backoff anew. */
  reconnect(): void {
    this.#stopped = false
    this.#closeSource()
    this.#setState(CONNECTING)
    if (this.#subscribers.size > 0) this.#open(this.#lastEventId)
  }

  #detach(subscriber: StreamSubscriber): void {
    if (!this.#subscribers.delete(subscriber)) return
    if (this.#subscribers.size > 0) {
      this.#listenToTypes()
      return
    }
    // A macrotask: StrictMode re-attaches synchronously, a hand-over between components within the same commit.
    this.#disposeTimer = setTimeout(() => {
      this.#disposeTimer = undefined
      if (this.#subscribers.size > 0) return
      this.#closeSource()
      this.#onDisposed(this)
    }, 0)
  }

  /** Makes the source; `resumeFrom`, when known, wins over the `lastEventId` option (which says where to begin). */
  #open(resumeFrom: string | undefined): void {
    const options = this.#options
    const init: HoldfastEventSourceInit = {...options}
    // Functions are looked up when called, so that every attempt uses the latest render's (no stale closure).
    for (const [name, value] of Object.entries(options)) {
      if (typeof value !== 'function') continue
      ;(init as Record<string, unknown>)[name] = (...args: unknown[]) => {
        const latest = (this.#options as Record<string, unknown>)[name]
        return (typeof latest === 'function' ? latest : value)(...args)
      }
    }
    if (resumeFrom !== undefined) init.lastEventId = resumeFrom
    let source: EventSourceLike
    try {
      source = this.#create(this.#url, init)
    } catch (thrown) {
      // An invalid URL or option: the hook reports it rather than throwing out of an effect (unmounting the root).
      const error = creationError(this.#url, thrown)
      this.#stopped = true
      this.#setState({...CLOSED, error})
      this.#each((subscriber) => subscriber.error(error))
      return
    }
    this.#source = source
    this.#on(source, 'open', (event) => {
      this.#setState({status: 'open', readyState: 1, error: undefined, reconnecting: undefined})
      this.#each((subscriber) => subscriber.open(event))
    })
    this.#on(source, 'error', (event) => {
      const error = (event as Event & {error?: HoldfastError}).error
      const closed = source.readyState === 2
      this.#setState({
        status: closed ? 'closed' : 'reconnecting',
        readyState: closed ? 2 : 0,
        error,
        reconnecting: undefined,
      })
      this.#each((subscriber) => subscriber.error(error))
    })
    this.#on(source, 'reconnecting', (event) => {
      const {attempt, delay, error} = event as Event & {attempt: number; delay: number; error: HoldfastError}
      const info: ReconnectInfo = {attempt, delay, at: Date.now() + delay, error}
      this.#setState({status: 'reconnecting', readyState: 0, error, reconnecting: info})
      this.#each((subscriber) => subscriber.reconnecting(info))
    })
    this.#listenToTypes()
  }

  /** Listens for the source's own `type` events: not a server's events of that name, nor a replaced source's. */
  #on(source: EventSourceLike, type: string, listener: (event: Event) => void): void {
    const own = (event: Event): void => {
      if (this.#source === source && !fromServer(event)) listener(event)
    }
    source.addEventListener(type, own)
    this.#typeListeners.set(`\0${type}`, own)
  }

  /** Calls every subscriber; one that throws (a component's callback) is reported and does not stop the others. */
  #each(call: (subscriber: StreamSubscriber) => void): void {
    for (const subscriber of this.#subscribers)
      try {
        call(subscriber)
      } catch (error) {
        report(error)
      }
  }

  /** Listens on the source for exactly the union of the subscribers' types. */
  #listenToTypes(): void {
    const source = this.#source
    if (!source) return
    const wanted = new Set<string>()
    for (const subscriber of this.#subscribers) for (const type of subscriber.types) wanted.add(type)
    if (source.subscribe) {
      const types = [...wanted].sort()
      if (this.#subscription?.types === types.join('\n')) return
      this.#subscription?.unsubscribe()
      const unsubscribe = source.subscribe(
        (message) => {
          if (this.#source === source) this.#deliver(message)
        },
        {types},
      )
      this.#subscription = {types: types.join('\n'), unsubscribe}
      return
    }
    for (const [type, listener] of this.#typeListeners) {
      if (type.startsWith('\0') || wanted.has(type)) continue
      source.removeEventListener(type, listener)
      this.#typeListeners.delete(type)
    }
    for (const type of wanted) {
      if (this.#typeListeners.has(type)) continue
      const listener = (event: Event): void => {
        // Only messages: an `error` listener also gets the source's own connection failures.
        if (this.#source !== source || !fromServer(event)) return
        const {type, data, lastEventId, origin} = event as MessageEvent
        this.#deliver({type, data: String(data), lastEventId, origin})
      }
      source.addEventListener(type, listener)
      this.#typeListeners.set(type, listener)
    }
  }

  #deliver(message: StreamMessage): void {
    const number = ++seq
    this.#latest.set(message.type, {seq: number, message})
    this.#lastEventId = message.lastEventId
    this.#each((subscriber) => {
      if (subscriber.types.includes(message.type)) subscriber.message(message, number)
    })
  }

  #closeSource(): void {
    const source = this.#source
    if (!source) return
    this.#source = undefined
    this.#lastEventId = source.lastEventId ?? this.#lastEventId
    source.close()
    this.#subscription?.unsubscribe()
    this.#subscription = undefined
    for (const [type, listener] of this.#typeListeners) source.removeEventListener(type.replace('\0', ''), listener)
    this.#typeListeners.clear()
  }

  #setState(state: StreamState): void {
    this.#state = state
    this.#each((subscriber) => subscriber.changed())
  }
}
