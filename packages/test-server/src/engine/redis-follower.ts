import {logEntry, type Channel} from '../channel.js'
import type {TestServerError} from '../errors.js'
import type {LogEntry} from '../replay-log.js'
import {decodePayload, type ChannelKeys} from './redis-scripts.js'

/** One event read from Redis (the log or the live channel): its id and its payload text. */
export interface RawEvent {
  seq: number
  payload: string
}

/** A consistent picture of a channel in Redis: the last id allocated and the log entries after a given id. */
export interface Snapshot {
  counter: number
  entries: RawEvent[]
}

/** What a follower needs from the Redis engine. */
export interface FollowerHost {
  /** Unique to this engine: the barriers of its followers carry it. */
  readonly id: string
  /** Subscribes to the channel's live messages (idempotent). */
  subscribe(keys: ChannelKeys): Promise<void>
  /** The counter and the log entries after `afterSeq`; publishes the barrier `token` on the live channel. */
  snapshot(keys: ChannelKeys, afterSeq: number, token: string): Promise<Snapshot>
  /** Gives an emptied Redis back what this server knows of the channel. */
  restore(keys: ChannelKeys, channel: Channel): Promise<void>
  /** A payload that could not be read: reported, skipped. */
  malformed(channel: Channel, seq: number): void
  /** A catch-up failed while Redis may still answer (the follower is stale now): the engine tries again. */
  failed(follower: Follower): void
}

interface Waiter {
  resolve(): void
  reject(error: Error): void
}

/** The barrier of one snapshot: where in the buffer it arrived, and a promise settled then (or when the sync ends). */
interface Barrier {
  readonly token: string
  seenAt: number | undefined
  readonly reached: Promise<void>
  settle(): void
}

/** Live messages kept while stale (those that are not the next id): what the log may not hold any more. */
const HELD_LIMIT = 10_000

/**
 * - `syncing`: fetching what was missed from the log; live messages wait in `buffered`; streams wait to open.
 * - `current`: every live message is the next id and is appended as it comes.
 * - `stale`: Redis is unreachable; live messages that still arrive are appended when they are the next id, the rest
 *   is `held` for the resync that follows the reconnection; streams cannot open.
 */
type State =
  | {name: 'syncing'; generation: number; buffered: RawEvent[]; barrier: Barrier | undefined; waiters: Waiter[]}
  | {name: 'current'}
  | {name: 'stale'; error: TestServerError; held: RawEvent[]}

type Syncing = State & {name: 'syncing'}

const bySeq = (a: RawEvent, b: RawEvent): number => a.seq - b.seq

/**
 * Keeps one channel of this server current with its log in Redis: a snapshot when it is first followed and after
 * every reconnection, then the live messages, in id order, with no id appended twice and none skipped that the log
 * or the live channel gave this server. The only module that appends to a channel on a fleet.
 */
export class Follower {
  readonly channel: Channel
  readonly keys: ChannelKeys
  readonly #host: FollowerHost
  #state: State
  #generation = 0
  #barriers = 0
  /** Publishes of this server waiting until their last id reached the channel. */
  #seen: Array<{seq: number; resolve(): void}> = []

  constructor(channel: Channel, keys: ChannelKeys, host: FollowerHost, stale: TestServerError | undefined) {
    this.channel = channel
    this.keys = keys
    this.#host = host
    this.#state = stale ? {name: 'stale', error: stale, held: []} : this.#startSync()
  }

  get state(): State['name'] {
    return this.#state.name
  }

  /** `undefined` when a stream can open now; else a promise settled once it can (rejected while Redis is down). */
  whenCurrent(): Promise<void> | undefined {
    const state = this.#state
    if (state.name === 'current') return undefined
    if (state.name === 'stale') return Promise.reject(state.error)
    return new Promise((resolve, reject) => state.waiters.push({resolve, reject}))
  }

  /** Resolves once the channel holds id `seq` (at once when Redis is unreachable: delivery waits for the resync). */
  whenSeen(seq: number): Promise<void> | undefined {
    if (this.channel.lastSeq >= seq || this.#state.name === 'stale') return undefined
    return new Promise((resolve) => this.#seen.push({seq, resolve}))
  }

  /** A message from the live channel. */
  live(event: RawEvent): void {
    const state = this.#state
    const next = event.seq === this.channel.lastSeq + 1
    if (state.name === 'syncing') state.buffered.push(event)
    else if (next) this.#append(event)
    else if (event.seq <= this.channel.lastSeq) return
    else if (state.name === 'current') {
      // A hole: messages were lost (they are never lost on a healthy connection). Fetch them from the log.
      this.#state = this.#startSync([event])
    } else {
      if (state.held.length >= HELD_LIMIT) state.held.shift()
      state.held.push(event)
    }
  }

  /** The barrier message `token` arrived on the live channel. */
  barrier(token: string): void {
    const state = this.#state
    if (state.name !== 'syncing' || state.barrier?.token !== token || state.barrier.seenAt !== undefined) return
    state.barrier.seenAt = state.buffered.length
    state.barrier.settle()
  }

  /** Redis became unreachable. */
  lost(error: TestServerError): void {
    const state = this.#state
    const held = state.name === 'syncing' ? state.buffered : state.name === 'stale' ? state.held : []
    this.#state = {name: 'stale', error, held}
    if (state.name === 'syncing') {
      for (const waiter of state.waiters) waiter.reject(error)
      state.barrier?.settle()
    }
    this.#releaseSeen(Infinity)
  }

  /** Redis is reachable again: catch up. Resolves once current (or rejects, leaving the channel stale). */
  resync(): Promise<void> {
    const state = this.#state
    if (state.name !== 'syncing') this.#state = this.#startSync(state.name === 'stale' ? state.held : [])
    return this.whenCurrent() ?? Promise.resolve()
  }

  /** The channel was forgotten on this server: nothing more is appended to it. */
  stop(error: TestServerError): void {
    this.lost(error)
    this.#state = {name: 'stale', error, held: []}
    this.#generation++
  }

  #startSync(buffered: RawEvent[] = []): State {
    const generation = ++this.#generation
    const state: Syncing = {name: 'syncing', generation, buffered, barrier: undefined, waiters: []}
    void this.#sync(state).catch(() => {})
    return state
  }

  async #sync(state: Syncing): Promise<void> {
    const channel = this.channel
    const settle = (error?: TestServerError): void => {
      if (this.#state !== state) return
      if (error) {
        this.lost(error)
        this.#host.failed(this)
        return
      }
      this.#state = {name: 'current'}
      for (const waiter of state.waiters) waiter.resolve()
    }
    try {
      // Subscribed first: every message published after the snapshot then reaches the buffer.
      await this.#host.subscribe(this.keys)
      if (this.#state !== state) return
      let snapshot = await this.#snapshot(state)
      if (this.#state !== state) return
      if (snapshot.counter < channel.lastSeq) {
        // Redis lost its data (a restart without persistence): give it back what is known here, so that ids go on
        // after the last one any client may hold instead of starting again at 1.
        await this.#host.restore(this.keys, channel)
        if (this.#state !== state) return
        snapshot = await this.#snapshot(state)
        if (this.#state !== state) return
      }
      const barrier = state.barrier as Barrier
      await barrier.reached
      if (this.#state !== state) return
      this.#catchUp(snapshot, state.buffered.slice(0, barrier.seenAt))
      // Published after the snapshot, in id order, unless a message was lost on the way.
      const after = state.buffered.slice(barrier.seenAt).sort(bySeq)
      for (const event of after) {
        if (event.seq <= channel.lastSeq) continue
        if (event.seq !== channel.lastSeq + 1) {
          // Something between the snapshot and this event is missing: one more round (these are then before it).
          state.buffered = after.filter((later) => later.seq > channel.lastSeq)
          state.barrier = undefined
          return this.#sync(state)
        }
        this.#append(event)
      }
      state.buffered = []
      settle()
    } catch (error) {
      settle(error as TestServerError)
    } finally {
      this.#releaseSeen(this.channel.lastSeq)
    }
  }

  /** Takes a snapshot with a new barrier: the buffer's messages up to the barrier are those it counted. */
  #snapshot(state: Syncing): Promise<Snapshot> {
    let settle = (): void => {}
    const reached = new Promise<void>((resolve) => (settle = resolve))
    const token = `${this.#host.id}.${this.#generation}.${++this.#barriers}`
    state.barrier = {token, seenAt: undefined, reached, settle}
    return this.#host.snapshot(this.keys, this.channel.lastSeq, token)
  }

  /**
   * Appends what the snapshot counted: the log's entries, and the live messages that arrived before its barrier,
   * which the log may not hold (trimmed, or `replayLimit: 0`). Ids neither has are gone for good: the streams announce
   * the gap. A message before the barrier with an id past the counter was not published by a server (a foreign
   * writer): dropped.
   */
  #catchUp(snapshot: Snapshot, beforeBarrier: RawEvent[]): void {
    const channel = this.channel
    const known = new Map<number, RawEvent>()
    for (const event of beforeBarrier)
      if (event.seq > channel.lastSeq && event.seq <= snapshot.counter) known.set(event.seq, event)
    for (const event of snapshot.entries) if (event.seq > channel.lastSeq) known.set(event.seq, event)
    for (const event of [...known.values()].sort(bySeq)) this.#append(event)
    channel.skipTo(snapshot.counter)
  }

  #append(event: RawEvent): void {
    const decoded = decodePayload(event.payload)
    const channel = this.channel
    if (!decoded) {
      // Not ours (a foreign writer): step over its id, so that the ids after it still follow on.
      this.#host.malformed(channel, event.seq)
      channel.skipTo(event.seq)
      return
    }
    const entry: LogEntry = logEntry(channel.name, event.seq, decoded.event, decoded.publishedAt)
    channel.append(entry)
    if (this.#seen.length > 0) this.#releaseSeen(channel.lastSeq)
  }

  #releaseSeen(upTo: number): void {
    if (this.#seen.length === 0) return
    const waiting = this.#seen
    this.#seen = []
    for (const waiter of waiting) {
      if (waiter.seq <= upTo) waiter.resolve()
      else this.#seen.push(waiter)
    }
  }
}
