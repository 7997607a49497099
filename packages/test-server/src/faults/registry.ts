import {TestServerError} from '../errors.js'
import {checkChannelName} from '../names.js'
import type {Stream} from '../stream.js'
import type {Fault, FaultInfo, FaultSource, FaultTarget, FaultType} from '../types.js'
import type {FaultEntry} from './entry.js'
import {isConnectFault, timesOf} from './parse.js'
import type {QueryFault} from './query.js'

/** Spent faults (nothing pending) kept for listing; older ones are forgotten. */
const SPENT_KEPT = 1_000

/** What the registry needs from the server. */
export interface FaultHooks {
  /** Open and connecting streams, oldest first. */
  streams(): Iterable<Stream>
  stream(id: string): Stream | undefined
  injected(entry: FaultEntry): void
}

/** A fault as the API and the control endpoints report it. */
export function faultInfo(entry: FaultEntry): FaultInfo {
  return {
    id: entry.id,
    fault: entry.fault,
    target: {...entry.target},
    via: entry.via,
    pending: entry.pending === Infinity ? 'all' : entry.pending,
    firedOn: [...entry.firedOn],
    createdAt: entry.createdAt,
  }
}

function matches(target: FaultTarget, stream: Stream): boolean {
  if (target.connection !== undefined) return target.connection === stream.id
  return target.channel === undefined || target.channel === stream.channel.name
}

/** Normalises a target; `channel` must be a valid name, `connection` an open connection. */
function checkTarget(target: unknown): FaultTarget {
  if (target === undefined || target === null) return {}
  if (typeof target !== 'object' || Array.isArray(target))
    throw new TestServerError('invalid-request', 'A fault target must be {channel} or {connection}')
  const {channel, connection, ...rest} = target as FaultTarget
  const unknown = Object.keys(rest)[0]
  if (unknown !== undefined)
    throw new TestServerError(
      'invalid-request',
      `Unknown fault target field \`${unknown}\` (expected channel, connection)`,
    )
  if (connection !== undefined && typeof connection !== 'string')
    throw new TestServerError('invalid-request', '`connection` must be a connection id like "c12"')
  return {
    ...(channel === undefined ? {} : {channel: checkChannelName(channel)}),
    ...(connection === undefined ? {} : {connection}),
  }
}

/**
 * The injected faults and the rule that hands them to connections: a fault applies to `times` connections, the
 * open ones matching its target first (oldest first; stream faults only), then new ones as they arrive, each new
 * connection taking at most one pending fault of each type, oldest first.
 */
export class FaultRegistry {
  readonly #hooks: FaultHooks
  readonly #entries = new Map<string, FaultEntry>()
  /** How many connections each query fault (per channel and URL) was applied to. */
  readonly #queryCounts = new Map<string, number>()
  /** Counts handed back by long polls for query faults, by the same key (see `handBack`). */
  readonly #queryCarried = new Map<string, number>()
  #seq = 0

  constructor(hooks: FaultHooks) {
    this.#hooks = hooks
  }

  /** Registers a fault and applies it to the open connections it targets. */
  inject(fault: Fault, rawTarget: unknown, via: FaultSource): FaultEntry {
    const target = checkTarget(rawTarget)
    const connectFault = isConnectFault(fault.type)
    let only: Stream | undefined
    if (target.connection !== undefined) {
      if (connectFault)
        throw new TestServerError(
          'invalid-fault',
          `Invalid fault: a ${fault.type} fault answers new connections; it cannot target connection ${target.connection}`,
        )
      only = this.#hooks.stream(target.connection)
      if (only?.state !== 'open' || (target.channel !== undefined && only.channel.name !== target.channel))
        throw new TestServerError(
          'unknown-connection',
          `No open connection with id ${target.connection}${target.channel === undefined ? '' : ` on channel '${target.channel}'`}`,
        )
    }
    const entry = this.#create(fault, target, via)
    if (!connectFault) {
      for (const stream of only ? [only] : this.#hooks.streams()) {
        if (entry.pending === 0) break
        if (stream.state !== 'open' || !matches(target, stream)) continue
        entry.pending--
        stream.arm(entry)
      }
    }
    // A fault aimed at one connection never waits for another.
    if (only) entry.pending = 0
    this.#prune()
    return entry
  }

  /**
   * The pending faults a new connection takes: at most one per type, oldest first. Connect faults are claimed when
   * the request arrives, stream faults only once it is about to open, so a connection answered with a status does
   * not use up the stream faults meant for the next one.
   */
  claim(stream: Stream, kind: 'connect' | 'stream'): FaultEntry[] {
    const taken = new Set<FaultType>()
    const claimed: FaultEntry[] = []
    for (const entry of this.#entries.values()) {
      if (entry.pending === 0 || taken.has(entry.fault.type)) continue
      if (isConnectFault(entry.fault.type) !== (kind === 'connect')) continue
      if (entry.target.connection !== undefined || !matches(entry.target, stream)) continue
      entry.pending--
      taken.add(entry.fault.type)
      claimed.push(entry)
    }
    return claimed
  }

  /**
   * Turns the faults of a stream URL into entries for this connection, skipping those the same URL already
   * received `times` times: a client that reconnects to the same URL gets a normal stream once they are used up.
   */
  claimFromQuery(faults: QueryFault[], stream: Stream): FaultEntry[] {
    const claimed: FaultEntry[] = []
    for (const {fault, key} of faults) {
      const countKey = `${stream.channel.name}\u0000${key}`
      const count = this.#queryCounts.get(countKey) ?? 0
      if (count >= timesOf(fault)) continue
      this.#queryCounts.set(countKey, count + 1)
      const entry = this.#create(fault, {channel: stream.channel.name, connection: stream.id}, 'query')
      entry.pending = 0
      entry.queryKey = countKey
      entry.carriedAfter = this.#queryCarried.get(countKey)
      this.#queryCarried.delete(countKey)
      claimed.push(entry)
    }
    this.#prune()
    return claimed
  }

  /**
   * A long poll ended (with its events, or after waiting for none) before `entry`, armed on it, fired: the fault
   * goes back to wait for the next connection of its target, still `remaining` events from firing. So `after: 3`
   * fires after the third event the channel's client receives, whether one stream or several polls carry them.
   * A fault aimed at the poll's own connection ends with it; a withdrawn fault stays withdrawn.
   */
  handBack(entry: FaultEntry, remaining: number): void {
    if (entry.queryKey !== undefined) {
      const count = this.#queryCounts.get(entry.queryKey)
      if (count === undefined) return // the channel's query faults were cleared meanwhile
      this.#queryCounts.set(entry.queryKey, count - 1)
      this.#queryCarried.set(entry.queryKey, remaining)
      return
    }
    if (!this.#entries.has(entry.id) || entry.target.connection !== undefined) return
    if (entry.pending !== Infinity) entry.pending++
    entry.carriedAfter = remaining
  }

  get(id: string): FaultEntry | undefined {
    return this.#entries.get(id)
  }

  /** Withdraws one fault and lifts its effects. False when no fault has that id. */
  clearOne(id: string): boolean {
    const entry = this.#entries.get(id)
    if (!entry) return false
    this.#withdraw([entry])
    return true
  }

  /**
   * Withdraws the faults aimed at `target` (every fault without one) and lifts their effects. A channel target
   * matches faults aimed at that channel, including query faults of its connections. Returns how many.
   */
  clear(target: FaultTarget = {}): number {
    const entries = [...this.#entries.values()].filter(
      (entry) =>
        (target.channel === undefined || entry.target.channel === target.channel) &&
        (target.connection === undefined || entry.target.connection === target.connection),
    )
    this.#withdraw(entries)
    if (target.channel === undefined && target.connection === undefined) {
      this.#queryCounts.clear()
      this.#queryCarried.clear()
    } else if (target.channel !== undefined) this.forgetQueries(target.channel)
    return entries.length
  }

  /** Forgets how often the query faults of a channel were applied. */
  forgetQueries(channel: string): void {
    const prefix = `${channel}\u0000`
    for (const key of this.#queryCounts.keys()) if (key.startsWith(prefix)) this.#queryCounts.delete(key)
    for (const key of this.#queryCarried.keys()) if (key.startsWith(prefix)) this.#queryCarried.delete(key)
  }

  list(): FaultInfo[] {
    return [...this.#entries.values()].map(faultInfo)
  }

  #create(fault: Fault, target: FaultTarget, via: FaultSource): FaultEntry {
    const entry: FaultEntry = {
      id: `f${++this.#seq}`,
      fault: Object.freeze({...fault}),
      target: Object.freeze(target),
      via,
      pending: timesOf(fault),
      firedOn: [],
      createdAt: Date.now(),
    }
    this.#entries.set(entry.id, entry)
    this.#hooks.injected(entry)
    return entry
  }

  #withdraw(entries: FaultEntry[]): void {
    if (entries.length === 0) return
    for (const entry of entries) {
      entry.pending = 0
      this.#entries.delete(entry.id)
    }
    for (const stream of [...this.#hooks.streams()]) {
      for (const entry of entries) stream.clearFault(entry.id)
    }
  }

  #prune(): void {
    let spent = 0
    for (const entry of this.#entries.values()) if (entry.pending === 0) spent++
    for (const [id, entry] of this.#entries) {
      if (spent <= SPENT_KEPT) return
      if (entry.pending === 0) {
        this.#entries.delete(id)
        spent--
      }
    }
  }
}
