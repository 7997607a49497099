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
  /** Subscribes to the channel's live messages (idempotent). */
  subscribe(keys: ChannelKeys): Promise<void>
  /** The counter and the log entries after `afterSeq`. */
  snapshot(keys: ChannelKeys, afterSeq: number): Promise<Snapshot>
  /** Gives an emptied Redis back what this server knows of the channel. */
  restore(keys: ChannelKeys, channel: Channel): Promise<void>
  /** A payload that could not be read: reported, skipped. */
  malformed(channel: Channel, seq: number): void
}

interface Waiter {
  resolve(): void
  reject(error: Error): void
}

/**
 * - `syncing`: fetching what was missed from the log; live messages wait in `buffered` (ids may overlap: the log is
 *   read after the subscription took effect); streams wait to open.
 * - `current`: every live message is the next id and is appended as it comes.
 * - `stale`: Redis is unreachable; live messages that still arrive are appended when they are the next id, the rest
 *   waits for the resync that follows the reconnection; streams cannot open.
 */
type State =
  | {name: 'syncing'; generation: number; buffered: RawEvent[]; waiters: Waiter[]}
  | {name: 'current'}
  | {name: 'stale'; error: TestServerError}

/**
 * Keeps one channel of this server current with its log in Redis: a snapshot when it is first followed and after
 * every reconnection, then the live messages, in id order, with no id appended twice and none skipped while the log
 * still has it. The only module that appends to a channel on a fleet.
 */
export class Follower {
  readonly channel: Channel
  readonly keys: ChannelKeys
  readonly #host: FollowerHost
  #state: State
  #generation = 0
  /** Publishes of this server waiting until their last id reached the channel. */
  #seen: Array<{seq: number; resolve(): void}> = []

  constructor(channel: Channel, keys: ChannelKeys, host: FollowerHost, stale: TestServerError | undefined) {
    this.channel = channel
    this.keys = keys
    this.#host = host
    this.#state = stale ? {name: 'stale', error: stale} : this.#startSync()
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
    else if (event.seq > this.channel.lastSeq && state.name === 'current') {
      // A hole: messages were lost (they are never lost on a healthy connection). Fetch them from the log.
      this.#state = this.#startSync([event])
    }
  }

  /** Redis became unreachable. */
  lost(error: TestServerError): void {
    const state = this.#state
    this.#state = {name: 'stale', error}
    if (state.name === 'syncing') for (const waiter of state.waiters) waiter.reject(error)
    this.#releaseSeen(Infinity)
  }

  /** Redis is reachable again: catch up. Resolves once current (or rejects, leaving the channel stale). */
  resync(): Promise<void> {
    const state = this.#state
    if (state.name === 'syncing') return this.whenCurrent() ?? Promise.resolve()
    this.#state = this.#startSync()
    return this.whenCurrent() ?? Promise.resolve()
  }

  /** The channel was forgotten on this server: nothing more is appended to it. */
  stop(error: TestServerError): void {
    this.lost(error)
    this.#generation++
  }

  #startSync(buffered: RawEvent[] = []): State {
    const generation = ++this.#generation
    const state: State & {name: 'syncing'} = {name: 'syncing', generation, buffered, waiters: []}
    void this.#sync(state).catch(() => {})
    return state
  }

  async #sync(state: State & {name: 'syncing'}): Promise<void> {
    const channel = this.channel
    const settle = (error?: TestServerError): void => {
      if (this.#state !== state) return
      if (error) {
        this.lost(error)
        return
      }
      this.#state = {name: 'current'}
      for (const waiter of state.waiters) waiter.resolve()
    }
    try {
      // Subscribed first: every message published after the snapshot then reaches the buffer.
      await this.#host.subscribe(this.keys)
      if (this.#state !== state) return
      let snapshot = await this.#host.snapshot(this.keys, channel.lastSeq)
      if (this.#state !== state) return
      if (snapshot.counter < channel.lastSeq) {
        // Redis lost its data (a restart without persistence): give it back what is known here, so that ids go on
        // after the last one any client may hold instead of starting again at 1.
        await this.#host.restore(this.keys, channel)
        if (this.#state !== state) return
        snapshot = await this.#host.snapshot(this.keys, channel.lastSeq)
        if (this.#state !== state) return
      }
      for (const event of snapshot.entries) this.#append(event)
      channel.skipTo(snapshot.counter)
      const buffered = state.buffered.sort((a, b) => a.seq - b.seq)
      for (const event of buffered) {
        if (event.seq <= channel.lastSeq) continue
        if (event.seq !== channel.lastSeq + 1) {
          // Published after the snapshot but something before it is missing: one more round.
          state.buffered = buffered.filter((later) => later.seq > channel.lastSeq)
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
