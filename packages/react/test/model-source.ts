/**
 * One Holdfast `EventSource` of the consumers' model and what consumes it: `onmessage`, `addEventListener`,
 * `subscribe`, and iterators that keep up, lag (`take` one at a time) or were never started. An oracle subscribed
 * first records every message the source dispatches; each consumer remembers where in it it joined and left, so
 * that what it must have received is exact: the oracle's messages between those points, of its types.
 */
import {EventSource, HoldfastError, type Environment, type StreamMessage} from '@holdfast/client'
import {events, type EventIterator} from '@holdfast/client/iterate'
import {expect} from 'vitest'
import type {ModelServer, ServerConnection} from './model-server'

export const STREAM_URL = 'http://model.test/stream'
/** A server may name its own events `error`: messages, which no consumer may take for a connection failure. */
export const TYPES = ['message', 'a', 'error'] as const
/** Online and visible: the model is about consumers, not the page (the connection's own model covers that). */
export const STILL: Environment = {isOnline: () => true, isHidden: () => false, subscribe: () => () => {}}
export const BUFFER = 3
export const STALL = 1000

/** A consumer called for each message as it is dispatched. */
interface Listener {
  readonly kind: 'onmessage' | 'listener' | 'subscribe'
  readonly types: readonly string[]
  readonly join: number
  leave?: number
  readonly received: StreamMessage[]
  stop(): void
}

/** An iterator: `loop` consumes as `for await` does; `lagging` takes one message per `take`; `idle` none yet. */
interface Iterating {
  kind: 'loop' | 'lagging' | 'idle'
  readonly types: readonly string[]
  readonly join: number
  readonly iterator: EventIterator
  readonly taken: StreamMessage[]
  /** Settled with `done`, or thrown (`failure`); `returned` when the model ended it. */
  done: boolean
  failure?: unknown
  returned: boolean
  /** `next()` calls of the model not settled yet. */
  outstanding: number
  /**
   * How many messages it may have taken in all, once it ended: those taken, and, when `return()` ended it, one for
   * each `next()` that may have settled with a message just before (its result not seen yet).
   */
  endedAt?: number
}

export class ModelSource {
  readonly source: EventSource
  readonly oracle: StreamMessage[] = []
  readonly listeners: Listener[] = []
  readonly iterators: Iterating[] = []
  /** Subscribers (consumers, iterators and actors inside listeners) in the order they subscribed: dispatch order. */
  #subscribed = 0
  readonly #order = new Map<object, number>()
  closed = false

  constructor(
    readonly server: ModelServer,
    idleTimeout: number,
  ) {
    this.source = new EventSource(STREAM_URL, {
      fetch: server.fetchFor(this),
      environment: STILL,
      jitter: 0,
      retryDelay: 100,
      idleTimeout,
    })
    this.source.subscribe((message) => void this.oracle.push(message))
  }

  /**
   * Adds a consumer called for each message: `onmessage` (replacing the handler there was), a listener, `subscribe`.
   * `inside` when a subscriber adds it while a message is dispatched: the source calls its subscribers, then fires
   * the message's event, so that a new event listener gets that message and a new subscriber does not.
   */
  listen(kind: Listener['kind'], types: readonly string[], inside = false): void {
    if (this.closed) return
    const received: StreamMessage[] = []
    const record = (message: StreamMessage): void => void received.push(message)
    // An `error` listener also gets the source's connection failures: the messages are those with `data`.
    const fromEvent = (event: MessageEvent): void => {
      if (event.data !== undefined)
        record({type: event.type, data: event.data as string, lastEventId: event.lastEventId, origin: event.origin})
    }
    let stop: () => void
    if (kind === 'onmessage') {
      types = ['message']
      for (const other of this.listeners)
        if (other.kind === 'onmessage' && other.leave === undefined) this.#leave(other)
      this.source.onmessage = fromEvent
      stop = () => {
        if (this.source.onmessage === fromEvent) this.source.onmessage = null
      }
    } else if (kind === 'listener') {
      const [type = 'message'] = types
      types = [type]
      this.source.addEventListener(type, fromEvent)
      stop = () => this.source.removeEventListener(type, fromEvent)
    } else {
      const unsubscribe = this.source.subscribe(record, {types})
      stop = unsubscribe
    }
    const join = this.oracle.length - (inside && kind !== 'subscribe' ? 1 : 0)
    const listener: Listener = {kind, types, join, received, stop}
    if (kind === 'subscribe') this.#order.set(listener, this.#subscribed++)
    this.listeners.push(listener)
  }

  /** Stops a consumer; `during` is the dispatch it stops in, if a listener of it stops it. */
  #leave(listener: Listener, during?: {order: number}): void {
    listener.stop()
    // Subscribers called before the one acting got this message; later ones and event listeners must not.
    const calledAlready = during !== undefined && (this.#order.get(listener) ?? Infinity) < during.order
    listener.leave = this.oracle.length - (during === undefined || calledAlready ? 0 : 1)
  }

  stop(index: number): void {
    const live = this.listeners.filter((l) => l.leave === undefined)
    const listener = live[index % Math.max(live.length, 1)]
    if (listener) this.#leave(listener)
  }

  iterate(kind: Iterating['kind'], types: readonly string[]): void {
    if (this.closed) return
    const iterator = events(this.source, {types, bufferSize: BUFFER, stallTimeout: STALL})
    const entry: Iterating = {
      kind,
      types,
      join: this.oracle.length,
      iterator,
      taken: [],
      done: false,
      returned: false,
      outstanding: 0,
    }
    this.#order.set(entry, this.#subscribed++)
    this.iterators.push(entry)
    if (kind === 'loop') void this.#loop(entry)
  }

  async #loop(entry: Iterating): Promise<void> {
    try {
      for await (const message of entry.iterator) entry.taken.push(message)
    } catch (error) {
      entry.failure = error
    }
    this.#ended(entry)
  }

  /** A lagging (or idle) iterator asks for one more message; it may wait for it. */
  take(index: number): void {
    const entry = this.#pick(index, (e) => e.kind !== 'loop')
    if (!entry) return
    entry.kind = 'lagging'
    this.#next(entry)
  }

  #next(entry: Iterating): void {
    entry.outstanding++
    entry.iterator.next().then(
      (result) => {
        entry.outstanding--
        if (result.done) this.#ended(entry)
        else entry.taken.push(result.value)
      },
      (error: unknown) => {
        entry.outstanding--
        entry.failure = error
        this.#ended(entry)
      },
    )
  }

  #ended(entry: Iterating): void {
    entry.done = true
    entry.endedAt ??= entry.taken.length
  }

  /** A `next()` on an iterator that ended: it must settle with `done`, never with a message. */
  poke(index: number): void {
    const ended = this.iterators.filter((e) => e.done || e.returned)
    const entry = ended[index % Math.max(ended.length, 1)]
    if (entry) this.#next(entry)
  }

  /** `return()`, as `break` does; a `next()` after it must settle with `done`, whatever arrives. */
  end(index: number): void {
    const entry = this.#pick(index, () => true)
    if (!entry) return
    entry.returned = true
    entry.endedAt = entry.taken.length + (entry.kind === 'loop' ? 1 : entry.outstanding)
    void entry.iterator.return()
    this.#next(entry)
  }

  #pick(index: number, which: (entry: Iterating) => boolean): Iterating | undefined {
    const live = this.iterators.filter((e) => !e.done && !e.returned && which(e))
    return live[index % Math.max(live.length, 1)]
  }

  /**
   * A subscriber that acts once, inside the dispatch of the next message: it stops another consumer, or adds one
   * (which must not get that message).
   */
  actInside(action: 'stop' | 'end' | 'listen' | 'subscribe' | 'iterate', index: number): void {
    if (this.closed) return
    const actor = {}
    this.#order.set(actor, this.#subscribed++)
    const unsubscribe = this.source.subscribe(() => {
      unsubscribe()
      const during = {order: this.#order.get(actor)!}
      if (action === 'stop') {
        const live = this.listeners.filter((l) => l.leave === undefined)
        const listener = live[index % Math.max(live.length, 1)]
        if (listener) this.#leave(listener, during)
      } else if (action === 'end') this.end(index)
      else if (action === 'iterate') this.iterate('loop', TYPES.slice(index % 3))
      else this.listen(action === 'listen' ? 'listener' : 'subscribe', [TYPES[index % 3]!], true)
    })
  }

  close(): void {
    this.closed = true
    this.source.close()
  }

  /** The oracle's messages of `types` from `join` to `leave`: what a consumer must have received. */
  #expected(types: readonly string[], join: number, leave = this.oracle.length): StreamMessage[] {
    return this.oracle.slice(join, leave).filter((message) => types.includes(message.type))
  }

  /** Whether the source has caught up with the server: connected, and no lagging iterator holds its reading. */
  caughtUp(): boolean {
    const holding = this.iterators.some((e) => !e.done && !e.returned && e.kind === 'lagging')
    return !this.closed && !holding && this.server.live(this).length === 1
  }

  /** The invariants of the source and its consumers between two steps. */
  check(): void {
    checkOracle(this.oracle, this.server.requests(this), this.server.log.length, this.caughtUp())
    for (const listener of this.listeners)
      expect(listener.received, `${listener.kind} ${listener.types.join()} joined at ${listener.join}`).toEqual(
        this.#expected(listener.types, listener.join, listener.leave),
      )
    for (const entry of this.iterators) {
      const expected = this.#expected(entry.types, entry.join)
      const what = `${entry.kind} iterator of ${entry.types.join()} joined at ${entry.join}`
      // In order, once, nothing skipped: a prefix of what it must get; all of it for a loop that keeps up.
      expect(entry.taken, what).toEqual(expected.slice(0, entry.taken.length))
      // A loop, or a lagging iterator whose `next()` waits, has taken everything there is for it.
      if (!entry.done && !entry.returned && (entry.kind === 'loop' || entry.outstanding > 0))
        expect(entry.taken, `${what}, with a next() waiting`).toEqual(expected)
      // Once it ended, every next() made of it settled.
      if (entry.done || entry.returned) expect(entry.outstanding, `${what}: a next() left pending`).toBe(0)
      if (entry.failure !== undefined)
        expect(HoldfastError.is(entry.failure) && entry.failure.code, what).toBe('buffer-overflow')
      if (entry.returned) expect(entry.failure, `${what}: an error after return()`).toBeUndefined()
      if (entry.endedAt !== undefined)
        expect(entry.taken.length, `${what}: a message after its end`).toBeLessThanOrEqual(entry.endedAt)
    }
    if (this.closed) expect(this.server.live(this), 'a connection left after close()').toEqual([])
    else expect(this.server.live(this).length).toBeLessThanOrEqual(1)
  }
}

/**
 * What a source (or a hook's stream, over its successive sources) dispatched is the server's log, once, in order:
 * every connection's messages are consecutive from where it started (after its Last-Event-ID, or live), and every
 * reconnection resumes from the last id dispatched before it (from where the stream began, before any). Once
 * caught up, the latest connection has brought everything up to the end of the log.
 */
export function checkOracle(
  oracle: readonly StreamMessage[],
  requests: readonly ServerConnection[],
  logLength: number,
  caughtUp: boolean,
): void {
  const ids = (number: number): number[] =>
    oracle.filter((message) => message.data.endsWith(` #${number}`)).map((message) => Number(message.lastEventId))
  requests.forEach((request, k) => {
    if (k > 0) {
      const last = request.dispatched > 0 ? oracle[request.dispatched - 1]!.lastEventId : requests[0]!.lastEventId
      expect(request.lastEventId ?? '', `request ${k} resumes from`).toBe(last ?? '')
    }
    const start = request.lastEventId === null ? request.logLength : Number(request.lastEventId)
    const carried = ids(request.number)
    expect(carried, `connection ${k}: consecutive from ${start}`).toEqual(carried.map((_, i) => start + 1 + i))
    if (caughtUp && k === requests.length - 1) expect(carried.at(-1) ?? start, 'behind the server').toBe(logLength)
  })
}
