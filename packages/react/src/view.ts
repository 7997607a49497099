import {EventSource, type HoldfastError, type StreamMessage} from '@holdfast/client'
import {sourceOptions} from './hook-options'
import {peekStream, streamFor} from './registry'
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
/** No connection: disabled (shown as `idle`), or closed by the view's `signal` (shown as `closed`). */
const IDLE: StreamState = {status: 'closed', readyState: 2, error: undefined, reconnecting: undefined}
const CONNECTING: StreamState = {status: 'connecting', readyState: 0, error: undefined, reconnecting: undefined}

const createHoldfast: CreateEventSource = (url, init) => new EventSource(url, init)

/** Reports an exception thrown by user code (a reducer, a callback) the way a throwing event listener is. */
function report(error: unknown): void {
  const reportError = (globalThis as {reportError?: (error: unknown) => void}).reportError
  if (reportError) reportError(error)
  else
    setTimeout(() => {
      throw error
    })
}

/** What a view shows: the same identity, the same view. A view whose `signal` aborted is one of its own. */
export function viewIdentity(enabled: boolean, aborted: boolean, key: string): string {
  return `${enabled && !aborted}:${aborted ? 'aborted:' : ''}${key}`
}

/**
 * One hook instance's window on a stream, as an external store for `useSyncExternalStore`: it attaches to the
 * shared stream on subscribe (never during render), keeps this component's data (the latest message of its
 * types, or its reducer's state) and builds a new snapshot only when something changed. A new URL, key or
 * `enabled` makes a new view; the old one detaches.
 */
export class StreamView {
  /** Identifies what this view shows; the hook makes a new view when it changes. */
  readonly identity: string
  readonly #key: string
  readonly #url: string | null
  readonly #enabled: boolean
  /** [ext] Closed by the `signal` it was made with: status `closed`, no connection, no `reconnect()`. */
  readonly #aborted: boolean
  readonly #options: {current: ViewOptions}
  #stream: SharedStream | undefined
  #data: unknown
  #message: StreamMessage | undefined
  #parseError: unknown
  #lastEventId: string
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
    resumeFrom = '',
  ) {
    const {enabled = true} = rendering
    this.#url = url
    this.#key = key
    this.#aborted = rendering.signal?.aborted ?? false
    this.#enabled = enabled && url !== null && !this.#aborted
    this.identity = viewIdentity(enabled && url !== null, this.#aborted, key)
    this.#options = options
    this.#data = rendering.reducer ? rendering.initial : undefined
    this.#lastEventId = ''
    // What the server renders, and what hydration must see: no connection, no message yet.
    this.#serverSnapshot = this.#build(this.#enabled ? CONNECTING : IDLE, this.#idle)
    this.#lastEventId = resumeFrom
    // A component that joins a running stream starts from its latest message (a reducer starts from `initial`).
    const joined = this.#enabled ? peekStream(key) : undefined
    const latest = joined && !rendering.reducer ? joined.latest(rendering.types ?? DEFAULT_TYPES) : undefined
    if (latest) this.#accept(latest, rendering)
  }

  get #types(): readonly string[] {
    return this.#options.current.types ?? DEFAULT_TYPES
  }

  /** The stream, for `close()` and `reconnect()`. */
  get stream(): SharedStream | undefined {
    return this.#stream
  }

  /** The last event id this view saw: where a later view of the same stream resumes. */
  get lastEventId(): string {
    return this.#lastEventId
  }

  readonly getServerSnapshot = (): Snapshot<unknown> => this.#serverSnapshot

  /** Disabled: status `idle` (one closed by its `signal` shows `closed`). */
  get #idle(): boolean {
    return !this.#enabled && !this.#aborted
  }

  readonly getSnapshot = (): Snapshot<unknown> => {
    const state = !this.#enabled ? IDLE : ((this.#stream ?? peekStream(this.#key))?.state ?? CONNECTING)
    if (this.#snapshot && this.#snapshotOf?.state === state && this.#snapshotOf.version === this.#version)
      return this.#snapshot
    this.#snapshotOf = {state, version: this.#version}
    this.#snapshot = this.#build(state, this.#idle)
    return this.#snapshot
  }

  readonly subscribe = (onChange: () => void): (() => void) => {
    if (!this.#enabled || this.#url === null) return () => {}
    const options = this.#options.current
    const stream = streamFor(this.#key, this.#url, sourceOptions(options), options.create ?? createHoldfast)
    this.#stream = stream
    const types = (): readonly string[] => this.#types
    const subscriber: StreamSubscriber = {
      get types() {
        return types()
      },
      message: (message) => {
        if (this.#accept(message)) onChange()
      },
      changed: onChange,
      open: (event) => this.#options.current.onOpen?.(event),
      error: (error) => this.#options.current.onError?.(error),
      reconnecting: (info) => this.#options.current.onReconnecting?.(info),
    }
    const detach = stream.attach(subscriber, this.#lastEventId)
    return () => {
      detach()
      if (this.#stream === stream) this.#stream = undefined
    }
  }

  /** The latest render's options reach the stream: its functions are the ones called from now on. */
  optionsChanged(): void {
    this.#stream?.setOptions(sourceOptions(this.#options.current))
  }

  /**
   * Takes a message into this view's data and says whether the snapshot changed. `live` messages get the latest
   * options; the latest message of a stream joined during render gets that render's, and no `onMessage`.
   */
  #accept(message: StreamMessage, rendering?: ViewOptions): boolean {
    const live = rendering === undefined
    const options = rendering ?? this.#options.current
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
