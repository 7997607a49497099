import {createParser, type EventSourceMessage, type EventSourceParser, type ParseError} from 'eventsource-parser'
import {watchAwareness} from './awareness'
import {reconnectDelay} from './backoff'
import {createIdWindow, type IdWindow} from './dedupe'
import {browserEnvironment} from './environment'
import {HoldfastError} from './errors'
import type {NormalizedOptions} from './options'
import {createIdStore, type IdStore} from './resume'
import {decideRetry} from './retry-policy'
import {openStream, readStream} from './transport'
import type {Environment, EventSourceStats} from './types'
import {createWatchdog, type Watchdog} from './watchdog'

/** What a connection reports to the object that owns it. Every call happens after the state changed. */
export interface ConnectionSink {
  open(): void
  message(type: string, data: string, lastEventId: string, origin: string): void
  error(error: HoldfastError): void
  reconnecting(attempt: number, delay: number, error: HoldfastError): void
  closed(error: HoldfastError | undefined): void
}

/** The resources of one connection attempt; released together when the attempt ends. */
interface Attempt {
  controller: AbortController
  watchdog: Watchdog
}

type State =
  | {status: 'connecting'; attempt: Attempt}
  | {status: 'open'; attempt: Attempt; openedAt: number; origin: string}
  | {status: 'deciding'; error: HoldfastError}
  | {status: 'waiting'; timer: ReturnType<typeof setTimeout>; delay: number; error: HoldfastError}
  | {status: 'paused'; reason: 'offline' | 'hidden'; error: HoldfastError | undefined}
  | {status: 'closed'; error: HoldfastError | undefined}

const now = (): number => performance.now()

/**
 * The connection state machine: the only module that sequences transport, parser, watchdog, backoff and
 * awareness. Each state owns its resources (an attempt's AbortController and watchdog, a waiting timer) and
 * `#setState` releases the previous state's, so `close()` from any state cleans up exactly what exists.
 */
export class Connection {
  #state: State = {status: 'closed', error: undefined}
  #url: string
  #lastEventId: string
  /** [spec] The reconnection time: the `retryDelay` option until the server sends `retry:`. */
  #reconnectionTime: number
  /** Consecutive failures; reset only once a stream proved healthy. */
  #failures = 0
  #decoder = new TextDecoder()
  #lastActivity: number | undefined
  readonly #stats = {connections: 0, reconnects: 0, messages: 0, duplicates: 0, bytes: 0}
  readonly #options: NormalizedOptions
  readonly #sink: ConnectionSink
  readonly #idWindow: IdWindow | undefined
  readonly #store: IdStore | undefined
  readonly #environment: Environment
  readonly #parser: EventSourceParser
  #disposeAwareness: () => void = () => {}

  constructor(url: string, options: NormalizedOptions, sink: ConnectionSink) {
    this.#url = url
    this.#options = options
    this.#sink = sink
    this.#reconnectionTime = options.retryDelay
    this.#environment = options.environment ?? browserEnvironment()
    this.#store = options.persist && createIdStore(options.persist)
    this.#lastEventId = this.#store?.load() ?? options.lastEventId
    this.#idWindow = options.dedupe > 0 ? createIdWindow(options.dedupe) : undefined
    this.#parser = createParser({
      maxBufferSize: options.maxEventSize,
      onId: (id) => this.#onId(id),
      onEvent: (event) => this.#onEvent(event),
      onRetry: (ms) => this.#onRetry(ms),
      onError: (error) => this.#onParseError(error),
    })
  }

  /** [spec] CONNECTING (0) while connecting, deciding, waiting or paused; OPEN (1); CLOSED (2). */
  get readyState(): 0 | 1 | 2 {
    const {status} = this.#state
    return status === 'open' ? 1 : status === 'closed' ? 2 : 0
  }

  get lastEventId(): string {
    return this.#lastEventId
  }

  get stats(): EventSourceStats {
    const last = this.#lastActivity
    // Derived when asked, so the per-chunk path reads one (monotonic) clock only.
    return {...this.#stats, lastActivityAt: last === undefined ? undefined : Date.now() - (now() - last)}
  }

  start(): void {
    this.#connect()
    this.#disposeAwareness = watchAwareness(this.#environment, this.#options, {
      offline: () => this.#onOffline(),
      online: () => this.#onOnline(),
      hidden: () => this.#onHidden(),
      visible: () => this.#onVisible(),
    })
  }

  /** Stops everything at once and for good; no event follows. */
  close(): void {
    if (this.#state.status === 'closed') return
    this.#setState({status: 'closed', error: undefined})
    this.#sink.closed(undefined)
  }

  #setState(next: State): void {
    const previous = this.#state
    this.#state = next
    if (previous.status === 'connecting' || previous.status === 'open') {
      const keepsAttempt = (next.status === 'connecting' || next.status === 'open') && next.attempt === previous.attempt
      if (!keepsAttempt) {
        previous.attempt.watchdog.disarm()
        previous.attempt.controller.abort()
      }
    } else if (previous.status === 'waiting') {
      clearTimeout(previous.timer)
    }
    if (next.status === 'closed') {
      this.#disposeAwareness()
      this.#disposeAwareness = () => {}
    }
  }

  #isCurrent(attempt: Attempt): boolean {
    const state = this.#state
    return (state.status === 'connecting' || state.status === 'open') && state.attempt === attempt
  }

  #connect(): void {
    const watchdog = createWatchdog(this.#options.idleTimeout, () => this.#onIdle(attempt), now)
    const attempt: Attempt = {controller: new AbortController(), watchdog}
    this.#setState({status: 'connecting', attempt})
    attempt.watchdog.arm() // [ext] bounds the connect phase too
    this.#parser.reset()
    // [spec] Each connection decodes a fresh stream: UTF-8, invalid bytes as U+FFFD. The parser strips the one
    // leading BOM the spec allows, so the decoder must keep it (or a second BOM would be stripped as well).
    this.#decoder = new TextDecoder('utf-8', {ignoreBOM: true})
    void this.#run(attempt)
  }

  async #run(attempt: Attempt): Promise<void> {
    const {signal} = attempt.controller
    const url = this.#url
    try {
      const response = await openStream(this.#options, {
        url,
        lastEventId: this.#lastEventId,
        attempt: this.#failures,
        signal,
      })
      if (!this.#isCurrent(attempt)) {
        response.body?.cancel().catch(() => {})
        return
      }
      this.#onResponse(attempt, response, url)
      if (!this.#isCurrent(attempt)) return // closed inside `open`
      await readStream(response.body as ReadableStream<Uint8Array>, url, signal, (chunk) =>
        this.#onChunk(attempt, chunk),
      )
      if (this.#isCurrent(attempt))
        this.#fail(attempt, new HoldfastError('stream-ended', `The server closed the stream at ${url}`, {url}))
    } catch (error) {
      if (!this.#isCurrent(attempt)) return // aborted by us: close(), idle timeout, or a pause
      this.#fail(
        attempt,
        HoldfastError.is(error) ? error : new HoldfastError('network', String(error), {url, cause: error}),
      )
    }
  }

  #onResponse(attempt: Attempt, response: Response, requestUrl: string): void {
    const finalUrl = response.url || requestUrl
    // [spec] Redirects were followed; reconnections go to the final URL.
    if (response.redirected && response.url) this.#url = response.url
    attempt.watchdog.touch(now())
    this.#stats.connections++
    // [spec] Announce the connection: readyState OPEN, then `open`. Origin is the final URL's, after redirects.
    this.#setState({status: 'open', attempt, openedAt: now(), origin: new URL(finalUrl).origin})
    this.#sink.open()
  }

  /** The per-chunk hot path: count, re-arm the watchdog, decode, parse. */
  #onChunk(attempt: Attempt, chunk: Uint8Array): void {
    const at = now()
    this.#lastActivity = at
    this.#stats.bytes += chunk.byteLength
    attempt.watchdog.touch(at)
    this.#parser.feed(this.#decoder.decode(chunk, {stream: true}))
  }

  #onId(id: string): void {
    if (this.#state.status !== 'open') return
    // [spec] Dispatch sets the last event ID string from the buffer; an empty id resets it. (The parser already
    // ignored ids containing U+0000.) Like Chromium, the id carries over to the next connection's stream.
    this.#lastEventId = id
    this.#store?.save(id)
  }

  #onEvent(event: EventSourceMessage): void {
    const state = this.#state
    // After close() (or a failure) inside a listener, the rest of the chunk is not delivered.
    if (state.status !== 'open') return
    if (this.#idWindow && event.id && this.#idWindow.isDuplicate(event.id)) {
      this.#stats.duplicates++
      return
    }
    this.#failures = 0 // a dispatched event proves the stream healthy
    this.#stats.messages++
    // [spec] The type defaults to "message"; data lines were joined with LF.
    this.#sink.message(event.event ?? 'message', event.data, this.#lastEventId, state.origin)
  }

  #onRetry(ms: number): void {
    // [spec] retry: sets the reconnection time (the parser only reports all-digit values).
    if (this.#state.status === 'open') this.#reconnectionTime = ms
  }

  #onParseError(error: ParseError): void {
    const state = this.#state
    // [spec] Unknown fields and bad retry values are ignored; only the size limit is an error.
    if (error.type !== 'max-buffer-size-exceeded' || state.status !== 'open') return
    const url = this.#url
    const message = `An event from ${url} exceeded maxEventSize (${this.#options.maxEventSize} characters)`
    this.#fail(state.attempt, new HoldfastError('event-too-large', message, {url, cause: error}))
  }

  #onIdle(attempt: Attempt): void {
    const url = this.#url
    const ms = this.#options.idleTimeout
    this.#fail(attempt, new HoldfastError('idle-timeout', `No data from ${url} for ${ms} ms`, {url}))
  }

  /** One failure of the current attempt: release it, then retry or close. */
  #fail(attempt: Attempt, error: HoldfastError): void {
    const state = this.#state
    if (!this.#isCurrent(attempt)) return
    if (state.status === 'open' && now() - state.openedAt >= this.#options.stableAfter) this.#failures = 0
    this.#failures++
    const deciding: State = {status: 'deciding', error}
    this.#setState(deciding)
    const verdict = decideRetry(error, this.#failures, this.#options)
    if (typeof verdict === 'boolean') this.#settle(deciding, error, verdict)
    else void verdict.then((retry) => this.#settle(deciding, error, retry))
  }

  #settle(deciding: State, error: HoldfastError, retry: boolean): void {
    if (this.#state !== deciding) return // closed while an async shouldRetry was pending
    if (!retry) return this.#finish(error)
    const options = this.#options
    if (options.networkAware && !this.#environment.isOnline()) {
      // [ext] Offline: wait for `online` without spending an attempt.
      this.#failures--
      this.#setState({status: 'paused', reason: 'offline', error})
      return this.#sink.error(error)
    }
    if (this.#failures > options.maxAttempts) {
      const message = `Gave up on ${this.#url} after ${options.maxAttempts} reconnection attempts: ${error.message}`
      return this.#finish(new HoldfastError('retries-exhausted', message, {url: this.#url, cause: error}))
    }
    const floor = Math.min(error.retryAfter ?? 0, options.maxRetryAfter)
    const policy = {factor: options.backoffFactor, maxDelay: options.maxRetryDelay, jitter: options.jitter}
    const delay = reconnectDelay(this.#failures, this.#reconnectionTime, policy, options.random, floor)
    const waiting = this.#wait(error, delay)
    this.#sink.error(error)
    if (this.#state === waiting) this.#sink.reconnecting(this.#failures, delay, error)
  }

  /**
   * [spec] Reestablish the connection: readyState CONNECTING, fire `error` (the caller does), wait, then reconnect
   * unless closed meanwhile. [ext] `reconnecting` announces each attempt; close() in either handler cancels it.
   */
  #wait(error: HoldfastError, delay: number): State {
    const waiting: State = {status: 'waiting', timer: setTimeout(() => this.#reconnect(), delay), delay, error}
    this.#setState(waiting)
    return waiting
  }

  #reconnect(): void {
    this.#stats.reconnects++
    this.#connect()
  }

  /** [spec] Fail the connection: readyState CLOSED, then `error`. */
  #finish(error: HoldfastError): void {
    this.#setState({status: 'closed', error})
    this.#sink.error(error)
    this.#sink.closed(error)
  }

  #canResend(): boolean {
    return this.#options.method === 'GET' || this.#options.retryNonGet
  }

  #onOffline(): void {
    const state = this.#state
    if (state.status === 'waiting') this.#setState({status: 'paused', reason: 'offline', error: state.error})
  }

  #onOnline(): void {
    const state = this.#state
    const offline = state.status === 'paused' && state.reason === 'offline'
    if ((offline || state.status === 'waiting') && state.error) {
      // [ext] Back online: reconnect at once (on the next turn), with the backoff reset.
      this.#failures = 0
      const waiting = this.#wait(state.error, 0)
      if (this.#state === waiting) this.#sink.reconnecting(1, 0, state.error)
    }
  }

  #onHidden(): void {
    const {status} = this.#state
    const active = status === 'connecting' || status === 'open' || status === 'waiting'
    if (active && this.#canResend()) this.#setState({status: 'paused', reason: 'hidden', error: undefined})
  }

  #onVisible(): void {
    const state = this.#state
    if (state.status === 'paused' && state.reason === 'hidden') {
      this.#failures = 0
      this.#connect()
    }
  }
}
