import {createEventParser, type EventSourceMessage, type ParseError} from './sse-parser'
import {browserEnvironment, watchAwareness} from './awareness'
import {reconnectDelay} from './backoff'
import {createIdWindow} from './dedupe'
import {HoldfastError} from './errors'
import type {Connection, ConnectionSink} from './connection-types'
import type {EventSourceStats} from './types'
import {MAX_DELAY, type NormalizedOptions} from './options'
import {createIdStore} from './resume'
import {decideRetry, resendable as canResend} from './retry-policy'
import {cancelBody, openStream, readStream} from './transport'
import {createWatchdog} from './watchdog'

export type {Connection, ConnectionSink} from './connection-types'

/** One connection attempt: aborting it releases its request and body. The connection's one watchdog watches it. */
type Attempt = AbortController

type State =
  | {status: 'connecting'; attempt: Attempt}
  | {status: 'open'; attempt: Attempt; openedAt: number; origin: string}
  | {status: 'deciding'}
  | {status: 'waiting'; timer: ReturnType<typeof setTimeout>; error: HoldfastError; due: number}
  /** `error` and `due` when the pause held a reconnect after a failure: it resumes at `due`, not sooner. */
  | {status: 'paused'; reason: 'offline' | 'hidden'; error?: HoldfastError; due?: number}
  | {status: 'closed'}

/**
 * The clock of the per-chunk path. `Date.now()`, not `performance.now()`: Chromium coarsens and jitters the latter
 * at about 0.3 µs a call, which the bench measured as the largest single cost per chunk. The watchdog guards
 * against the wall clock being set back (see watchdog.ts); one set forward can at worst end a stream early, which
 * the Last-Event-ID resume makes lossless.
 */
const now = (): number => Date.now()
/** The attempt a state owns: `connecting` and `open` own one. */
const attemptOf = (state: State): Attempt | undefined => (state as {attempt?: Attempt}).attempt
/** Hoisted: the per-chunk path allocates nothing it does not have to. */
const STREAMING = {stream: true}

/**
 * Starts the connection state machine: the only module that sequences transport, parser, watchdog, backoff and
 * awareness. Each state owns its resources (an attempt's AbortController and watchdog, a waiting timer) and
 * `setState` releases the previous state's, so `close()` from any state cleans up exactly what exists.
 */
export function startConnection(
  url: string,
  options: NormalizedOptions,
  sink: ConnectionSink,
  owner?: EventTarget,
): Connection {
  let state: State = {status: 'closed'}
  /** [spec] The reconnection time: the `retryDelay` option until the server sends `retry:`. */
  let reconnectionTime = options.retryDelay
  /** Consecutive failures; reset only once a stream proved healthy. */
  let failures = 0
  /**
   * Where (re)connections go: [spec] a redirect's final URL, [ext] unless it is on another origin than the URL the
   * caller named: then through that URL again, so that Holdfast never addresses the caller's headers to an origin it
   * did not name, and fetch applies its rules to the hop (it drops Authorization) on every reconnection.
   */
  let target = url
  /** True once the page has been hidden for `pauseWhenHidden` ms, until visible, where the request may be re-sent. */
  let hidden = false
  /** Whether the first connection was started: every later one counts as a reconnect. */
  let started = false
  /** Whether a reconnection may re-send the request. */
  const resendable = canResend(options)
  let decoder: TextDecoder
  const stats: EventSourceStats = {
    connections: 0,
    reconnects: 0,
    messages: 0,
    duplicates: 0,
    bytes: 0,
    lastActivityAt: undefined,
  }
  const environment = options.environment ?? browserEnvironment()
  const store = options.persist && createIdStore(options.persist)
  let lastEventId = store?.load() ?? options.lastEventId
  /** The id before the dispatch in progress set it, so that an event failed as too large does not move it. */
  let previousId = lastEventId
  const isDuplicate = options.dedupe > 0 ? createIdWindow(options.dedupe) : undefined
  const parser = createEventParser({maxBufferSize: options.maxEventSize, onId, onEvent, onRetry, onError: onParseError})
  /** [ext] The idle watchdog of the current attempt: armed as it starts and opens, disarmed as it ends. */
  const watchdog = createWatchdog(options.idleTimeout, onIdle, now)
  /** [ext] How each attempt travels, when the `transport` option says (see transport-strategy.ts). */
  let driver: ReturnType<NonNullable<NormalizedOptions['transport']>> | undefined
  /** Releases what `start` subscribed to: the network and page state. */
  let disposeAwareness = (): void => {}

  function setState(next: State): void {
    const previous = state
    const attempt = attemptOf(previous)
    state = next
    if (attempt && attempt !== attemptOf(next)) {
      watchdog.disarm()
      attempt.abort()
    }
    clearTimeout((previous as {timer?: ReturnType<typeof setTimeout>}).timer) // a waiting state's
    if (next.status === 'closed') {
      disposeAwareness()
      driver?.close()
    }
  }

  const isCurrent = (attempt: Attempt): boolean => attemptOf(state) === attempt

  /** `polled`: [ext] after a completed long poll, whose successor keeps readyState OPEN and announces nothing. */
  function connect(polled?: boolean): void {
    // [ext] A hidden page's stream waits for the page to be visible, however the reconnect came about.
    if (hidden) return setState({status: 'paused', reason: 'hidden'})
    if (started && !polled) stats.reconnects++
    started = true
    const attempt: Attempt = new AbortController()
    setState(polled ? {...(state as State & {status: 'open'}), attempt} : {status: 'connecting', attempt})
    watchdog.arm() // [ext] bounds the connect phase too
    void run(attempt)
  }

  async function run(attempt: Attempt): Promise<void> {
    const {signal} = attempt
    const requestUrl = driver?.url(target) ?? target
    try {
      const opened = await openStream(options, {
        url: requestUrl,
        lastEventId,
        attempt: failures,
        signal,
        onHead: () => isCurrent(attempt) && watchdog.disarm(),
      })
      const {response} = opened
      if (!isCurrent(attempt)) return cancelBody(response)
      // [spec] Redirects were followed: origin is the final URL's, and reconnections go there ([ext] same origin only).
      const final = opened.url
      if (final !== requestUrl) target = new URL(final).origin === new URL(url).origin ? final : url
      // Reset here, not as the attempt starts: a `reconnect()` from a listener starts it while the parser is feeding.
      parser.reset()
      // [spec] Each connection decodes a fresh stream: UTF-8, invalid bytes as U+FFFD. The parser strips the one
      // leading BOM the spec allows, so the decoder must keep it (or a second BOM would be stripped as well).
      decoder = new TextDecoder('utf-8', {ignoreBOM: true})
      watchdog.arm()
      stats.connections++
      // [spec] Announce the connection: readyState OPEN, then `open` ([ext] once for a run of long polls).
      if (state.status === 'connecting') {
        setState({status: 'open', attempt, openedAt: now(), origin: new URL(final).origin})
        sink.open({
          status: response.status,
          headers: response.headers,
          redirected: response.redirected,
          url: final,
          transport: driver?.transport ?? 'stream',
        })
        if (!isCurrent(attempt)) return cancelBody(response) // closed inside `open`
      }
      await readStream(response.body!, requestUrl, signal, (chunk) => onChunk(attempt, chunk))
      if (!isCurrent(attempt)) return
      // [ext] A completed long poll is followed at once by the next; any other end is a failure.
      if (driver?.ended()) connect(true)
      else fail(attempt, new HoldfastError('stream-ended', `The server closed the stream at ${url}`, {url}))
    } catch (error) {
      // Not current: aborted by us (close(), idle timeout, a pause); nothing to report.
      if (!isCurrent(attempt)) return
      fail(attempt, HoldfastError.is(error) ? error : new HoldfastError('network', String(error), {url, cause: error}))
    }
  }

  /** The per-chunk hot path: count, re-arm the watchdog, decode, parse; then let a slow consumer hold reading. */
  function onChunk(attempt: Attempt, chunk: Uint8Array): Promise<void> | undefined {
    const at = now()
    stats.lastActivityAt = at
    stats.bytes += chunk.byteLength
    watchdog.touch(at)
    parser.feed(decoder.decode(chunk, STREAMING))
    const pause = sink.backpressure()
    // A listener may have started another attempt meanwhile (`reconnect()`): the watchdog is that one's.
    if (!pause || !isCurrent(attempt)) return pause
    // [ext] While we hold reading for a consumer, silence is ours, not the network's: the watchdog waits too.
    watchdog.disarm()
    return pause.then(() => {
      if (isCurrent(attempt)) watchdog.arm()
    })
  }

  function onId(id: string): void {
    if (state.status !== 'open') return
    // [spec] Dispatch sets the last event ID string from the buffer; an empty id resets it. (The parser already
    // ignored ids containing U+0000.) Like Chromium, the id carries over to the next connection's stream.
    previousId = lastEventId
    lastEventId = id
    store?.save(id)
  }

  function onEvent(event: EventSourceMessage): void {
    // After close() (or a failure) inside a listener, the rest of the chunk is not delivered.
    if (state.status !== 'open') return
    // The parser checks its size limit between chunks only: an event that arrived whole in one chunk is checked
    // here, and fails like one that grew over several (its id, just set, is taken back: it was not delivered).
    if (event.data.length > options.maxEventSize) {
      if (event.id !== undefined) {
        lastEventId = previousId
        store?.save(previousId)
      }
      return tooLarge(state.attempt)
    }
    if (event.id && isDuplicate?.(event.id)) return void stats.duplicates++
    failures = 0 // a dispatched event proves the stream healthy
    stats.messages++
    // [spec] The type defaults to "message"; data lines were joined with LF.
    sink.message(event.event ?? 'message', event.data, lastEventId, state.origin, event.id)
  }

  function onRetry(ms: number): void {
    // [spec] retry: sets the reconnection time (the parser only reports all-digit values), as long as a timer can wait.
    if (state.status === 'open') reconnectionTime = Math.min(ms, MAX_DELAY)
  }

  function onParseError(error: ParseError): void {
    // [spec] Unknown fields and bad retry values are ignored; only the size limit is an error.
    if (error.type === 'max-buffer-size-exceeded' && state.status === 'open') tooLarge(state.attempt, error)
  }

  function tooLarge(attempt: Attempt, cause?: ParseError): void {
    const message = `An event from ${url} exceeded maxEventSize (${options.maxEventSize} characters)`
    fail(attempt, new HoldfastError('event-too-large', message, {url, cause}))
  }

  function onIdle(): void {
    const attempt = attemptOf(state) // the watchdog is armed only while there is one
    if (attempt)
      fail(attempt, new HoldfastError('idle-timeout', `No data from ${url} for ${options.idleTimeout} ms`, {url}))
  }

  /** One failure of the current attempt: release it, then retry or close. */
  function fail(attempt: Attempt, error: HoldfastError): void {
    if (!isCurrent(attempt)) return
    driver?.failed(error)
    if (state.status === 'open' && now() - state.openedAt >= options.stableAfter) failures = 0
    failures++
    const deciding: State = {status: 'deciding'}
    setState(deciding)
    const verdict = decideRetry(error, failures, options)
    if (typeof verdict === 'boolean') settle(deciding, error, verdict)
    else void verdict.then((retry) => settle(deciding, error, retry))
  }

  function settle(deciding: State, error: HoldfastError, retry: boolean): void {
    if (state !== deciding) return // closed while an async shouldRetry was pending
    if (!retry) return finish(error)
    // [ext] Offline: wait for `online` without spending an attempt.
    if (options.networkAware && !environment.isOnline()) {
      failures--
      setState({status: 'paused', reason: 'offline', error})
      return sink.error(error)
    }
    if (failures > options.maxAttempts) {
      const message = `Gave up on ${url} after ${options.maxAttempts} reconnection attempts: ${error.message}`
      return finish(new HoldfastError('retries-exhausted', message, {url, cause: error}))
    }
    const floor = Math.min(error.retryAfter ?? 0, options.maxRetryAfter)
    const delay = reconnectDelay(failures, reconnectionTime, options, floor)
    if (!hidden) return wait(error, delay, true)
    // [ext] Hidden meanwhile: the reconnect waits for the page to be visible, and for its delay.
    setState({status: 'paused', reason: 'hidden', error, due: now() + delay})
    sink.error(error)
  }

  /**
   * [spec] Reestablish the connection: readyState CONNECTING, fire `error` (unless it already fired), wait, then
   * reconnect unless closed meanwhile. [ext] `reconnecting` announces the attempt; close() in a handler cancels it.
   */
  function wait(error: HoldfastError, delay: number, announceError?: boolean): void {
    const waiting: State = {status: 'waiting', timer: setTimeout(connect, delay), error, due: now() + delay}
    setState(waiting)
    if (announceError) sink.error(error)
    if (state === waiting) sink.reconnecting(Math.max(failures, 1), delay, error)
  }

  /** [spec] Fail the connection: readyState CLOSED, then `error`. */
  function finish(error: HoldfastError): void {
    setState({status: 'closed'})
    sink.error(error)
    if (state.status === 'closed') sink.closed(error) // not when an `error` listener started it again: reconnect()
  }

  const awareness: Parameters<typeof watchAwareness>[2] = {
    offline() {
      if (state.status === 'waiting') setState({status: 'paused', reason: 'offline', error: state.error})
    },
    online() {
      // [ext] Back online: reconnect at once (on the next turn), with the backoff reset.
      if ((state.status === 'paused' && state.reason === 'offline') || state.status === 'waiting') {
        failures = 0
        wait(state.error!, 0)
      }
    },
    hidden() {
      // [ext] A hidden page's stream is closed, and resumed when visible; a non-GET request only if allowed. A
      // reconnect that is offline or deciding meanwhile finds the page hidden when it comes (see `connect`).
      hidden = resendable
      if (!hidden) return
      if (state.status === 'waiting') setState({...state, status: 'paused', reason: 'hidden'})
      else if (attemptOf(state)) setState({status: 'paused', reason: 'hidden'}) // connecting or open
    },
    visible() {
      hidden = false
      if (state.status !== 'paused' || state.reason !== 'hidden') return
      // A healthy stream resumes at once; a reconnect after a failure keeps what remains of its delay.
      if (state.error) return wait(state.error, Math.max(0, state.due! - now()))
      failures = 0
      connect()
    },
  }

  /** Subscribes to what a running connection needs, and makes the first attempt. */
  function start(): void {
    hidden = false
    disposeAwareness = watchAwareness(environment, options, awareness)
    driver = options.transport?.(url, options, stats, owner)
    connect()
  }
  // [ext] An already aborted `signal`: no request at all (and the facade's listener on it closes nothing).
  if (!options.signal?.aborted) start()

  return {
    get readyState() {
      return state.status === 'open' ? 1 : state.status === 'closed' ? 2 : 0
    },
    get lastEventId() {
      return lastEventId
    },
    get stats() {
      return {...stats}
    },
    get transport() {
      return driver?.transport
    },
    close() {
      if (state.status === 'closed') return
      setState({status: 'closed'})
      sink.closed()
    },
    reconnect() {
      failures = 0
      if (state.status === 'closed') start()
      else connect()
    },
  }
}
