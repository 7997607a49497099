import type {HoldfastError, HoldfastEventSourceInit, StreamMessage} from '@holdfast/client'
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
  message(message: StreamMessage): void
  /** The state changed (after `open`, `error` and `reconnecting` below). */
  changed(): void
  /** The stream opened: the source's `open` event (an `OpenEvent` from Holdfast's sources). */
  open(event: Event): void
  error(error: HoldfastError | undefined): void
  reconnecting(info: ReconnectInfo): void
}

const CONNECTING: StreamState = {status: 'connecting', readyState: 0, error: undefined, reconnecting: undefined}
const CLOSED: StreamState = {status: 'closed', readyState: 2, error: undefined, reconnecting: undefined}

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
  /** Closed by `close()`: stays closed for new components until `reconnect()`. */
  #closedByUser = false
  readonly #subscribers = new Set<StreamSubscriber>()
  /** The listener added to the current source for each message type someone wants (and for its own events). */
  readonly #typeListeners = new Map<string, (event: Event) => void>()
  /** With a source that has `subscribe`: the types subscribed to, and the function that unsubscribes. */
  #subscription: {types: string; unsubscribe: () => void} | undefined
  /** The latest message of each type, numbered, so a component that joins late starts from the current one. */
  readonly #latest = new Map<string, {seq: number; message: StreamMessage}>()
  #seq = 0
  #lastEventId = ''
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

  /** The newest message among `types`, if any arrived on this stream. */
  latest(types: readonly string[]): StreamMessage | undefined {
    let newest: {seq: number; message: StreamMessage} | undefined
    for (const type of types) {
      const entry = this.#latest.get(type)
      if (entry && (!newest || entry.seq > newest.seq)) newest = entry
    }
    return newest?.message
  }

  /** The options of the latest component to render: its functions (`headers`, `shouldRetry`…) are the ones called. */
  setOptions(options: HoldfastEventSourceInit): void {
    this.#options = options
  }

  /** Adds a component; opens the connection if none is open (from `resumeFrom` when given). Returns `detach`. */
  attach(subscriber: StreamSubscriber, resumeFrom?: string): () => void {
    clearTimeout(this.#disposeTimer)
    this.#disposeTimer = undefined
    this.#subscribers.add(subscriber)
    if (!this.#source && !this.#closedByUser) this.#open(resumeFrom)
    else this.#listenToTypes()
    return () => this.#detach(subscriber)
  }

  /** Closes the connection for every component, until `reconnect()`. */
  close(): void {
    this.#closedByUser = true
    this.#closeSource()
    this.#setState({...CLOSED, error: this.#state.error})
  }

  /** Closes and reopens at once, from the last event id; a fresh source starts its backoff anew. */
  reconnect(): void {
    const resumeFrom = this.#source?.lastEventId ?? this.#lastEventId
    this.#closedByUser = false
    this.#closeSource()
    this.#setState(CONNECTING)
    if (this.#subscribers.size > 0) this.#open(resumeFrom)
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
    if (resumeFrom && options.lastEventId === undefined) init.lastEventId = resumeFrom
    const source = this.#create(this.#url, init)
    this.#source = source
    const current = (): boolean => this.#source === source
    this.#on(source, 'open', (event) => {
      if (!current()) return
      this.#setState({status: 'open', readyState: 1, error: undefined, reconnecting: undefined})
      for (const subscriber of this.#subscribers) subscriber.open(event)
    })
    this.#on(source, 'error', (event) => {
      if (!current()) return
      const error = (event as Event & {error?: HoldfastError}).error
      const closed = source.readyState === 2
      this.#setState({
        status: closed ? 'closed' : 'reconnecting',
        readyState: closed ? 2 : 0,
        error,
        reconnecting: undefined,
      })
      for (const subscriber of this.#subscribers) subscriber.error(error)
    })
    this.#on(source, 'reconnecting', (event) => {
      if (!current()) return
      const {attempt, delay, error} = event as Event & {attempt: number; delay: number; error: HoldfastError}
      const info: ReconnectInfo = {attempt, delay, at: Date.now() + delay, error}
      this.#setState({status: 'reconnecting', readyState: 0, error, reconnecting: info})
      for (const subscriber of this.#subscribers) subscriber.reconnecting(info)
    })
    this.#listenToTypes()
  }

  #on(source: EventSourceLike, type: string, listener: (event: Event) => void): void {
    source.addEventListener(type, listener)
    this.#typeListeners.set(`\0${type}`, listener)
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
        if (this.#source !== source) return
        const {type, data, lastEventId, origin} = event as MessageEvent
        this.#deliver({type, data: String(data), lastEventId, origin})
      }
      source.addEventListener(type, listener)
      this.#typeListeners.set(type, listener)
    }
  }

  #deliver(message: StreamMessage): void {
    this.#latest.set(message.type, {seq: ++this.#seq, message})
    this.#lastEventId = message.lastEventId
    for (const subscriber of this.#subscribers) if (subscriber.types.includes(message.type)) subscriber.message(message)
  }

  #closeSource(): void {
    const source = this.#source
    if (!source) return
    this.#source = undefined
    source.close()
    this.#subscription?.unsubscribe()
    this.#subscription = undefined
    for (const [type, listener] of this.#typeListeners) source.removeEventListener(type.replace('\0', ''), listener)
    this.#typeListeners.clear()
  }

  #setState(state: StreamState): void {
    this.#state = state
    for (const subscriber of this.#subscribers) subscriber.changed()
  }
}
