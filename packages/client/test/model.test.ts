/**
 * A model-based property test of the connection state machine, through the EventSource facade: fast-check drives
 * random sequences of server responses of every class, stalls, drops, `retry:` values (0 and huge ones included),
 * offline/online, hidden/visible, async `headers` and `shouldRetry` that resolve late, a consumer that stops reading,
 * and `close()` at any point, streaming or long-polling (`pollTransport()`, where a clean end may be followed at once
 * by the next poll); after every step the invariants below must hold. Time is vitest's fake clock; the
 * network is a fetch the test controls. `HOLDFAST_MODEL_SEED` and `HOLDFAST_MODEL_RUNS` replay or widen a run; a
 * failure prints its seed and the shrunk command sequence.
 */
import fc from 'fast-check'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {EventSource, type HoldfastEventSourceInit} from '../src/index'
import {events} from '../src/iterate'
import {MAX_DELAY} from '../src/options'
import {pollTransport} from '../src/polling'
import {controlledEnvironment, flush, useFakeClock} from './harness'

const encoder = new TextEncoder()

/** One request the fake network received, and the response the commands drive. */
interface FakeRequest {
  at: number
  signal: AbortSignal
  /** pending: no response yet; open: a 200 body that may still send; done: answered, ended, failed or cancelled. */
  state: 'pending' | 'open' | 'done'
  resolve(response: Response): void
  reject(error: unknown): void
  body?: ReadableStreamDefaultController<Uint8Array>
  /** Its body ended cleanly (the `end` command). */
  ended?: boolean
  /** The attempt that sent it (polling configs only). */
  attempt?: AttemptStart
}

/** When an attempt started (its `headers` function was called) and how many messages had been dispatched then. */
interface AttemptStart {
  at: number
  messages: number
}

/** The poll timeout of the polling configs; an empty poll shorter than this is not complete. */
const POLL_TIMEOUT = 500

/** The world a run acts on: the source, its network, its environment, its pending hooks, and what it fired. */
class World {
  readonly requests: FakeRequest[] = []
  readonly environment = controlledEnvironment()
  readonly pendingHeaders: Array<() => void> = []
  readonly pendingHooks: Array<(verdict: boolean | undefined) => void> = []
  readonly log: Array<{type: string; readyState: number; at: number; delay?: number; retryAfter?: number}> = []
  readonly source: EventSource
  closedAt: number | undefined
  /** Set while a command runs that may announce an immediate reconnect (online) or start one (visible). */
  resuming = false
  /**
   * When the next request may start: granted by a `reconnecting` event (at + delay; a later one replaces it) or a
   * page that becomes visible; taken by the request.
   */
  permit: number | undefined
  /** The reconnection time the server set with `retry:`, if any. */
  reconnectionTime: number
  /** The last announced delay of a run of consecutive failures, when it can be compared with the next. */
  previousDelay: number | undefined
  openedAt: number | undefined
  /** When the page was hidden, while it is. */
  hiddenSince: number | undefined
  /** Consecutive failures announced since the stream was last healthy (or the backoff was reset). */
  consecutive = 0
  lazyIterator: ReturnType<typeof events> | undefined
  /**
   * What broke an invariant inside the source's own calls (listeners, fetch), where a throw would be reported
   * elsewhere or taken for a network error; checked after every step.
   */
  readonly violations: string[] = []
  /** An event type whose next dispatch calls close() from inside the listener. */
  closeInside: string | undefined
  nextId = 1
  /** Polling configs: every attempt's start, in order. */
  readonly attempts: AttemptStart[] = []
  messages = 0
  /** How many `open` events may have fired so far: one, plus one per `error`, plus one per page made visible. */
  opensAllowed = 1

  constructor(readonly config: ModelConfig) {
    this.reconnectionTime = config.retryDelay
    const init: HoldfastEventSourceInit = {
      fetch: (_url, request) => this.fetch(request!),
      environment: this.environment,
      jitter: 0,
      idleTimeout: config.idleTimeout,
      retryDelay: config.retryDelay,
      maxAttempts: config.maxAttempts,
      pauseWhenHidden: config.pauseWhenHidden,
      headers: config.polling
        ? () => {
            this.attempts.push({at: Date.now(), messages: this.messages})
            return config.asyncHeaders ? new Promise((resolve) => this.pendingHeaders.push(() => resolve({}))) : {}
          }
        : config.asyncHeaders
          ? () => new Promise((resolve) => this.pendingHeaders.push(() => resolve({})))
          : {},
      shouldRetry: config.asyncHook ? () => new Promise((resolve) => this.pendingHooks.push(resolve)) : undefined,
      transport: config.polling ? pollTransport({pollTimeout: POLL_TIMEOUT}) : undefined,
    }
    this.source = new EventSource('http://model.test/stream', init)
    for (const type of ['open', 'message', 'error', 'reconnecting'])
      this.source.addEventListener(type, (event) => this.record(type, event))
  }

  private verify(holds: boolean, what: string): void {
    if (!holds) this.violations.push(`${what} (at ${Date.now()}, after ${this.log.length} events)`)
  }

  private record(type: string, event: Event): void {
    const {readyState} = this.source
    const at = Date.now()
    const entry = {type, readyState, at} as World['log'][number]
    if (type === 'reconnecting') {
      const {delay, error} = event as Event & {delay: number; error: {retryAfter?: number}}
      entry.delay = delay
      entry.retryAfter = error.retryAfter
      this.permit = at + delay
      this.checkDelay(delay, error.retryAfter)
    }
    if (type === 'message') this.resetBackoff() // a healthy stream resets the backoff
    if (type === 'message') this.messages++
    if (type === 'error') this.opensAllowed++
    if (type === 'open') {
      // Invariant: no `open` flicker: one per run of polls, after a failure or a resume only.
      this.verify(--this.opensAllowed >= 0, 'an open event without a failure or resume before it')
      this.opensAllowed = Math.max(this.opensAllowed, 0)
      this.openedAt = at
    }
    if (type === 'error' && this.openedAt !== undefined && at - this.openedAt >= 5000) this.resetBackoff()
    if (type === 'error') this.openedAt = undefined
    this.log.push(entry)
    // Invariant: readyState is consistent with the event being fired.
    const expected = {open: [1], message: [1], error: [0, 2], reconnecting: [0]}[type]!
    this.verify(expected.includes(readyState), `readyState ${readyState} during ${type}`)
    // Invariant: nothing after close().
    this.verify(this.closedAt === undefined, `a ${type} event after close()`)
    if (type === 'error' && readyState === 2) this.closedAt = at
    if (type === this.closeInside) {
      this.closeInside = undefined
      this.source.close()
      this.closedAt ??= at
    }
  }

  resetBackoff(): void {
    this.previousDelay = undefined
    this.consecutive = 0
  }

  /**
   * Invariants on an announced delay: within a timer's reach, never below the reconnection time, never shrinking
   * over consecutive failures, and growing from GROWTH_FLOOR (100 ms) from the second one on: no retry storm.
   */
  private checkDelay(delay: number, retryAfter: number | undefined): void {
    this.verify(delay <= MAX_DELAY, `a delay of ${delay} ms, beyond what a timer can wait`)
    if (this.resuming) return // back online: at once, by design
    this.consecutive++
    this.verify(delay >= this.reconnectionTime, `a delay of ${delay} ms, below the reconnection time`)
    this.verify(this.consecutive === 1 || delay >= 100, `a retry storm: ${delay} ms after consecutive failures`)
    if (this.previousDelay !== undefined) {
      this.verify(delay >= this.previousDelay, `consecutive failures shortened the delay to ${delay} ms`)
      if (retryAfter === undefined && this.previousDelay < 30_000)
        this.verify(delay > this.previousDelay, `the backoff did not grow past ${delay} ms`)
    }
    this.previousDelay = retryAfter === undefined ? delay : undefined
  }

  private fetch(init: RequestInit): Promise<Response> {
    const signal = init.signal!
    // As fetch does: an aborted signal rejects at once, without a request (an attempt closed or paused while its
    // async headers were pending).
    if (signal.aborted) return Promise.reject(new DOMException('aborted', 'AbortError'))
    // Invariant: at most one request in flight, and none unannounced or early.
    this.verify(this.live().length === 0, 'a request while another is in flight')
    // Invariant: a page hidden for the grace period starts no request.
    const {pauseWhenHidden} = this.config
    if (pauseWhenHidden !== false && this.hiddenSince !== undefined)
      this.verify(Date.now() - this.hiddenSince <= pauseWhenHidden, 'a request from a hidden page')
    const attempt = this.attempts.at(-1)
    const previous = this.requests.at(-1)
    if (previous) {
      const {permit} = this
      this.permit = undefined
      if (permit === undefined && this.config.polling) {
        // Invariant: a poll follows the last one unannounced only once that one ended complete: with an event, or
        // after waiting its poll timeout (measured from attempt start to attempt start). Never a storm.
        const {at, messages} = previous.attempt!
        const complete = attempt!.messages > messages || attempt!.at - at >= POLL_TIMEOUT
        this.verify(previous.ended === true && complete, 'an unannounced poll after an incomplete one')
      } else {
        this.verify(permit !== undefined, 'a reconnect that no `reconnecting` event or visible page announced')
        this.verify(Date.now() >= (permit ?? 0), 'a reconnect before its announced delay')
      }
    }
    return new Promise((resolve, reject) => {
      const request: FakeRequest = {at: Date.now(), signal, state: 'pending', resolve, reject, attempt}
      this.requests.push(request)
      signal.addEventListener('abort', () => {
        if (request.state === 'pending') {
          reject(new DOMException('aborted', 'AbortError'))
          request.state = 'done'
        } else if (request.state === 'open' && this.config.bodyFollowsAbort) {
          // Like the platform's fetch. Some custom fetches leave the body open: the client must cancel it itself.
          request.body!.error(new DOMException('aborted', 'AbortError'))
          request.state = 'done'
        }
      })
    })
  }

  /** Requests the client has not let go of. */
  live(): FakeRequest[] {
    return this.requests.filter((request) => request.state !== 'done')
  }

  current(state: FakeRequest['state']): FakeRequest | undefined {
    const request = this.requests.at(-1)
    return request?.state === state ? request : undefined
  }

  respond(status: number, headers: Record<string, string>, open: boolean): void {
    const request = this.current('pending')
    if (!request) return
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => void (request.body = controller),
      cancel: () => void (request.state = 'done'),
    })
    request.state = open ? 'open' : 'done'
    if (!open) request.body = undefined
    request.resolve(new Response(open ? body : status === 204 ? null : 'error body', {status, headers}))
  }

  send(text: string): void {
    const request = this.current('open')
    if (request) request.body!.enqueue(encoder.encode(text))
  }

  /** The invariants that hold between any two steps. */
  async checkQuiescent(): Promise<void> {
    await flush()
    expect(this.violations).toEqual([])
    expect(this.live().length).toBeLessThanOrEqual(1)
    // Invariant: every request after the first is counted as a reconnect (or follows a poll that opened).
    const {reconnects, connections} = this.source.stats
    const counted = reconnects + (this.config.polling ? connections : 0)
    expect(counted).toBeGreaterThanOrEqual(this.requests.length - 1)
    expect(this.source.transport).toBe(this.config.polling ? 'poll' : 'stream')
    if (this.closedAt !== undefined || this.source.readyState === 2) {
      expect(this.source.readyState).toBe(2)
      // Invariant: once closed, no timer, listener, request or reader is left.
      expect(vi.getTimerCount(), 'a timer left after close').toBe(0)
      expect(this.environment.listeners.size, 'an environment listener left after close').toBe(0)
      expect(this.live(), 'a request left after close').toHaveLength(0)
      return
    }
    // Invariant: no source is paused forever. Something is under way, or waits on a signal that will come.
    const waitsOnSignal =
      (!this.environment.isOnline() && this.config.networkAware) ||
      (this.environment.isHidden() && this.config.pauseWhenHidden !== false) ||
      this.pendingHeaders.length > 0 ||
      this.pendingHooks.length > 0
    const open = this.current('open')
    const unread = open !== undefined && open.body!.desiredSize! <= 0
    if (unread) expect(vi.getTimerCount(), 'reading paused with nothing to end the pause').toBeGreaterThan(0)
    else if (!waitsOnSignal && !open && this.current('pending') === undefined)
      expect(vi.getTimerCount(), 'CONNECTING with nothing under way').toBeGreaterThan(0)
  }
}

interface ModelConfig {
  idleTimeout: number
  retryDelay: number
  maxAttempts: number
  pauseWhenHidden: number | false
  networkAware: boolean
  asyncHeaders: boolean
  asyncHook: boolean
  bodyFollowsAbort: boolean
  /** Long-polls (`pollTransport()`, polls of POLL_TIMEOUT ms): every clean end may be followed at once. */
  polling: boolean
}

type Command = fc.AsyncCommand<object, World>

/** A command that is always applicable; `run` acts if the world allows it, then checks the invariants. */
function command(name: string, act: (world: World) => void | Promise<void>): Command {
  return {
    check: () => true,
    async run(_model, world) {
      await act(world)
      await world.checkQuiescent()
    },
    toString: () => name,
  }
}

const statuses: Array<[number, Record<string, string>]> = [
  [204, {}],
  [401, {}],
  [404, {}],
  [500, {}],
  [502, {}],
  [503, {'retry-after': '2'}],
  [429, {'retry-after': '0'}],
  [200, {'content-type': 'text/html'}],
]

/** Weighted: the network answers often, time passes often, the page changes sometimes, close() is rare. */
const commands = [
  ...Array.from({length: 4}, () =>
    fc.constant(command('open', (world) => world.respond(200, {'content-type': 'text/event-stream'}, true))),
  ),
  fc
    .constantFrom(...statuses)
    .map(([status, headers]) => command(`respond ${status}`, (world) => world.respond(status, headers, false))),
  fc.constant(
    command('refuse', (world) => {
      const request = world.current('pending')
      if (!request) return
      request.state = 'done'
      request.reject(new TypeError('connection refused'))
    }),
  ),
  ...Array.from({length: 3}, () =>
    fc.constant(command('event', (world) => world.send(`id: ${world.nextId++}\ndata: x\n\n`))),
  ),
  fc.constant(command('heartbeat', (world) => world.send(':\n'))),
  fc.constantFrom(0, 50, 2000, 30 * 24 * 3600 * 1000).map((retry) =>
    command(`retry: ${retry}`, (world) => {
      if (!world.current('open')) return
      world.send(`retry: ${retry}\n\n`)
      world.reconnectionTime = Math.min(retry, MAX_DELAY)
      world.resetBackoff()
    }),
  ),
  fc.constantFrom('drop', 'end').map((how) =>
    command(how, (world) => {
      const request = world.current('open')
      if (!request) return
      request.state = 'done'
      if (how === 'drop') request.body!.error(new TypeError('connection reset'))
      else request.body!.close()
      request.ended = how === 'end'
    }),
  ),
  ...Array.from({length: 4}, () =>
    fc
      .constantFrom(1, 99, 100, 999, 1000, 2000, 5000, 60_000)
      .map((ms) => command(`advance ${ms} ms`, async () => void (await vi.advanceTimersByTimeAsync(ms)))),
  ),
  ...Array.from({length: 3}, () =>
    fc.constantFrom('offline', 'online', 'hidden', 'visible').map((change) =>
      command(change, (world) => {
        world.resuming = change === 'online' || change === 'visible'
        if (change === 'visible' && world.environment.isHidden()) {
          world.permit ??= Date.now()
          world.opensAllowed++
        }
        if (change === 'hidden') world.hiddenSince ??= Date.now()
        if (change === 'visible') world.hiddenSince = undefined
        world.environment.set(
          change === 'offline' || change === 'online' ? {online: change === 'online'} : {hidden: change === 'hidden'},
        )
        if (world.resuming) world.resetBackoff()
        world.resuming = false
      }),
    ),
  ),
  fc
    .constantFrom('open', 'error', 'reconnecting')
    .map((type) => command(`close() inside the next ${type}`, (world) => void (world.closeInside = type))),
  ...Array.from({length: 3}, () =>
    fc.constant(command('resolve headers', (world) => world.pendingHeaders.shift()?.())),
  ),
  fc
    .constantFrom(true, false, undefined)
    .map((verdict) => command(`shouldRetry → ${verdict}`, (world) => world.pendingHooks.shift()?.(verdict))),
  fc.constant(
    command('a consumer takes one message, then stops', (world) => {
      world.lazyIterator ??= events(world.source, {bufferSize: 2})
      void world.lazyIterator.next().catch(() => {})
    }),
  ),
]

/** close() ends everything that follows, so it comes rarely: one step in about a hundred. */
const closing = fc.constant(
  command('close()', (world) => {
    world.source.close()
    world.closedAt ??= Date.now()
  }),
)
const step = fc.oneof({arbitrary: closing, weight: 1}, {arbitrary: fc.oneof(...commands), weight: 100})

const config: fc.Arbitrary<ModelConfig> = fc.record({
  idleTimeout: fc.constantFrom(0, 1000, 5000),
  retryDelay: fc.constantFrom(0, 100, 1000),
  maxAttempts: fc.constantFrom(Infinity, 3),
  pauseWhenHidden: fc.constantFrom(false as const, 0, 0, 1000),
  networkAware: fc.constant(true),
  asyncHeaders: fc.boolean(),
  asyncHook: fc.boolean(),
  bodyFollowsAbort: fc.boolean(),
  polling: fc.constantFrom(false, false, true),
})

const seed = Number(process.env.HOLDFAST_MODEL_SEED ?? 20261205)
const numRuns = Number(process.env.HOLDFAST_MODEL_RUNS ?? 300)

describe('the connection state machine, against a model', () => {
  let world: World | undefined
  afterEach(() => {
    world?.source.close()
    world = undefined
  })

  it('keeps its invariants under random sequences of network, page and consumer events', async () => {
    await fc.assert(
      fc.asyncProperty(config, fc.commands([step], {maxCommands: 80, size: 'max'}), async (settings, sequence) => {
        useFakeClock()
        world = new World(settings)
        try {
          await world.checkQuiescent()
          await fc.asyncModelRun(() => ({model: {}, real: world!}), sequence)
          // Whatever happened, close() releases everything.
          world.source.close()
          world.closedAt ??= Date.now()
          await world.checkQuiescent()
        } finally {
          world.source.close()
          vi.useRealTimers()
        }
      }),
      {seed, numRuns, verbose: 1},
    )
  }, 120_000)
})
