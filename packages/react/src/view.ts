import {EventSource, type HoldfastError, type StreamMessage} from '@holdfast/client'
import {sourceOptions} from './hook-options'
import {peekStream, streamFor} from './registry'
import {report} from './report'
import type {SharedStream, StreamState, StreamSubscriber} from './shared-stream'
import type {CreateEventSource, MessageReducer, ParsedMessage, ReconnectInfo, UseEventSourceOptions} from './types'

/** The part of the hook's result that changes: everything but the two controls. */
export interface Snapshot<D> {
  readonly data: D
  readonly message: StreamMessage | undefined
  readonly readyState: 0 | 1 | 2
  readonly status: StreamState['status'] | 'idle'
  readonly error: HoldfastError | undefined
  readonly reconnecting: ReconnectInfo | undefined
  readonly parseError: unknown
  readonly lastEventId: string
}

/** The options a view reads when a message or an event arrives: the latest render's, kept in a ref. */
export type ViewOptions = UseEventSourceOptions<unknown> & {
  reducer?: MessageReducer<unknown, unknown>
  initial?: unknown
}

const DEFAULT_TYPES: readonly string[] = ['message']
/** No connection: disabled or not opened (shown as `idle`), or closed by the view's `signal` (shown as `closed`). */
const IDLE: StreamState = {status: 'closed', readyState: 2, error: undefined, reconnecting: undefined}
const CONNECTING: StreamState = {status: 'connecting', readyState: 0, error: undefined, reconnecting: undefined}

const createHoldfast: CreateEventSource = (url, init) => new EventSource(url, init)

/** Whether a view connects: `enabled` with a URL (the props), and `opened` (`immediate`, or `open()` called). */
export interface Activation {
  readonly enabled: boolean
  readonly opened: boolean
}

/** What a view shows: the same identity, the same view. A view whose `signal` aborted is one of its own. */
export function viewIdentity({enabled, opened}: Activation, aborted: boolean, key: string): string {
  const connects = enabled && !aborted
  return `${connects}:${connects && opened}:${aborted ? 'aborted:' : ''}${key}`
}

/**
 * One hook instance's window on a stream, as an external store for `useSyncExternalStore`: it attaches to the
 * shared stream on subscribe (never during render), keeps this component's data (the latest message of its
 * types, or its reducer's state) and builds a new snapshot only when something changed. A new URL, key,
 * `enabled` or `open()` makes a new view; the old one detaches. On the same stream, the new view goes on from the
 * old one's data and resumes from the last id the stream saw.
 */
export class StreamView {
  /** Identifies what this view shows; the hook makes a new view when it changes. */
  readonly identity: string
  readonly key: string
  readonly #url: string | null
  readonly #enabled: boolean
  /** Connects: enabled and opened. */
  readonly #active: boolean
  /** [ext] Closed by the `signal` it was made with: status `closed`, no connection, no `open()` or `reconnect()`. */
  readonly #aborted: boolean
  readonly #options: {current: ViewOptions}
  #stream: SharedStream | undefined
  /** The view of the same stream this one replaces, until this one subscribes and takes over its latest state. */
  #previous: {view: StreamView; version: number} | undefined
  #data: unknown
  #message: StreamMessage | undefined
  #parseError: unknown
  #lastEventId = ''
  /** The number of the latest message taken (see `LatestMessage`): a stream's newer one is taken on subscribe. */
  #seen = 0
  /** Where a connection this view opens starts: the last id its stream saw when it detached. */
  #resumeFrom: string | undefined
  /** The types the stream was last told of. */
  #typesKey = ''
  /** Bumped when this view's own data changes. */
  #version = 0
  #snapshot: Snapshot<unknown> | undefined
  #snapshotOf: {state: StreamState; version: number} | undefined
  readonly #serverSnapshot: Snapshot<unknown>

  /**
   * `rendering` are the options of the render that makes the view (the ref still holds the committed ones): they
   * give the initial data. Nothing here connects: construction happens during render.
   */
  constructor(
    url: string | null,
    key: string,
    options: {current: ViewOptions},
    rendering: ViewOptions,
    {enabled, opened}: Activation,
    previous?: StreamView,
  ) {
    this.#url = url
    this.key = key
    this.#aborted = rendering.signal?.aborted ?? false
    this.#enabled = enabled && url !== null && !this.#aborted
    this.#active = this.#enabled && opened
    this.identity = viewIdentity({enabled: enabled && url !== null, opened}, this.#aborted, key)
    this.#options = options
    this.#data = rendering.reducer ? rendering.initial : rendering.initialData
    // What the server renders, and what hydration must see: no connection, no message yet.
    this.#serverSnapshot = this.#build(this.#active ? CONNECTING : IDLE, this.#idle)
    if (previous) {
      this.#previous = {view: previous, version: previous.#version}
      this.#carry(previous)
    }
    // A component that joins a running stream starts from its latest message (a reducer starts from `initial`).
    const joined = this.#active ? peekStream(key) : undefined
    if (joined && !rendering.reducer) this.#catchUp(joined, rendering)
  }

  get #types(): readonly string[] {
    return this.#options.current.types ?? DEFAULT_TYPES
  }

  /** The stream, for `close()` and `reconnect()`. */
  get stream(): SharedStream | undefined {
    return this.#stream
  }

  readonly getServerSnapshot = (): Snapshot<unknown> => this.#serverSnapshot

  /** Not connecting: status `idle` (one closed by its `signal` shows `closed`). */
  get #idle(): boolean {
    return !this.#active && !this.#aborted
  }

  readonly getSnapshot = (): Snapshot<unknown> => {
    const state = !this.#active ? IDLE : ((this.#stream ?? peekStream(this.key))?.state ?? CONNECTING)
    if (this.#snapshot && this.#snapshotOf?.state === state && this.#snapshotOf.version === this.#version)
      return this.#snapshot
    this.#snapshotOf = {state, version: this.#version}
    this.#snapshot = this.#build(state, this.#idle)
    return this.#snapshot
  }

  readonly subscribe = (onChange: () => void): (() => void) => {
    const version = this.#version
    const previous = this.#previous
    this.#previous = undefined
    if (previous) {
      // The old view detached just before (React runs cleanups first): what it saw since this one rendered.
      if (previous.view.#version !== previous.version) this.#carry(previous.view)
      this.#resumeFrom = previous.view.#resumeFrom
    }
    if (!this.#active || this.#url === null) {
      if (this.#version !== version) onChange()
      return () => {}
    }
    const options = this.#options.current
    const stream = streamFor(this.key, this.#url, sourceOptions(options), options.create ?? createHoldfast)
    this.#stream = stream
    this.#typesKey = this.#types.join('\n')
    const types = (): readonly string[] => this.#types
    const subscriber: StreamSubscriber = {
      get types() {
        return types()
      },
      message: (message, seq) => {
        if (this.#accept(message, seq)) onChange()
      },
      changed: onChange,
      open: (event) => this.#options.current.onOpen?.(event),
      error: (error) => this.#options.current.onError?.(error),
      reconnecting: (info) => this.#options.current.onReconnecting?.(info),
    }
    const detach = stream.attach(subscriber, this.#resumeFrom)
    // A message that arrived between the render and now: without it, this component would show an older one than
    // the others on the stream (tearing).
    if (!options.reducer) this.#catchUp(stream)
    if (this.#version !== version) onChange()
    return () => {
      detach()
      this.#resumeFrom = stream.lastEventId ?? this.#resumeFrom
      if (this.#stream === stream) this.#stream = undefined
    }
  }

  /** The latest render's options reach the stream: its functions are the ones called from now on, its types listened. */
  optionsChanged(): void {
    const stream = this.#stream
    if (!stream) return
    stream.setOptions(sourceOptions(this.#options.current))
    const typesKey = this.#types.join('\n')
    if (typesKey === this.#typesKey) return
    this.#typesKey = typesKey
    stream.typesChanged()
  }

  /** `open()`: opens the stream if it is closed (by `close()` or for good); while disabled, nothing. */
  open(): void {
    if (this.#enabled) (this.#stream ?? peekStream(this.key))?.open()
  }

  /** Takes the stream's latest message of this view's types when it is newer than the one the view shows. */
  #catchUp(stream: SharedStream, rendering?: ViewOptions): void {
    const options = rendering ?? this.#options.current
    const latest = stream.latest(options.types ?? DEFAULT_TYPES)
    if (latest && latest.seq > this.#seen) this.#accept(latest.message, latest.seq, options, false)
  }

  #carry(from: StreamView): void {
    this.#data = from.#data
    this.#message = from.#message
    this.#parseError = from.#parseError
    this.#lastEventId = from.#lastEventId
    this.#seen = from.#seen
    this.#version++
  }

  /**
   * Takes a message into this view's data and says whether the snapshot changed. `live` messages get the latest
   * options and `onMessage`; a stream's latest message taken on joining (during render or on subscribe) does not.
   */
  #accept(message: StreamMessage, seq: number, options = this.#options.current, live = true): boolean {
    this.#seen = seq
    let data: unknown = message.data
    if (options.parse) {
      try {
        data = options.parse(message.data, message)
      } catch (error) {
        this.#parseError = error
        this.#version++
        return true
      }
    }
    const parsed: ParsedMessage<unknown> = {...message, data}
    this.#message = message
    this.#lastEventId = message.lastEventId
    this.#parseError = undefined
    if (options.reducer) {
      try {
        this.#data = options.reducer(this.#data, parsed)
      } catch (error) {
        report(error)
      }
    } else this.#data = data
    this.#version++
    if (live && options.onMessage) {
      try {
        options.onMessage(parsed)
      } catch (error) {
        report(error)
      }
    }
    return true
  }

  #build(state: StreamState, idle: boolean): Snapshot<unknown> {
    return {
      data: this.#data,
      message: this.#message,
      readyState: state.readyState,
      status: idle ? 'idle' : state.status,
      error: state.error,
      reconnecting: state.reconnecting,
      parseError: this.#parseError,
      lastEventId: this.#lastEventId,
    }
  }
}
