import {Channel, normalizeEvent} from './channel.js'
import {ConnectionRegistry} from './connections.js'
import type {Engine} from './engine/engine.js'
import {TestServerError} from './errors.js'
import {applyStreamFault} from './faults/apply.js'
import type {FaultEntry} from './faults/entry.js'
import {parseFault} from './faults/parse.js'
import {FaultRegistry} from './faults/registry.js'
import {eventFrame} from './frame.js'
import {checkChannelName} from './names.js'
import {normalizeTicker, type NormalizedOptions} from './options.js'
import {Stats} from './stats.js'
import type {Stream, StreamHost} from './stream.js'
import {startTicker} from './ticker.js'
import type {
  ChannelInfo,
  ClosedBy,
  CloseReason,
  ConnectionRecord,
  FaultSource,
  FaultTarget,
  LogEntry,
  PublishedEvent,
  Ticker,
  TickerOptions,
} from './types.js'
import {WaitList} from './wait-list.js'

/** The fields of a control request that name the target next to a fault's own. */
const TARGET_FIELDS = ['channel', 'connection'] as const

/** Which live streams an operation applies to. */
export interface StreamFilter {
  channel?: string
  connection?: string
}

function selects(filter: StreamFilter, stream: Stream): boolean {
  return (
    (filter.channel === undefined || stream.channel.name === filter.channel) &&
    (filter.connection === undefined || stream.id === filter.connection)
  )
}

/** A value, or (on a fleet, where Redis has the last word) a promise of it. */
export type MaybePromise<T> = T | Promise<T>

/**
 * The server's state, independent of HTTP: channels, connections, faults and tickers, and every operation the
 * programmatic API and the control endpoints share. Streams report back to it (it is their StreamHost). What a fleet
 * shares (ids, logs, fan-out) is the engine's: the hub does not know whether it runs in memory or on Redis.
 */
export class Hub implements StreamHost {
  readonly options: NormalizedOptions
  readonly engine: Engine
  readonly stats = new Stats()
  readonly connections: ConnectionRegistry
  readonly faults: FaultRegistry
  readonly #channels = new Map<string, Channel>()
  readonly #fired = new WaitList<{faultId: string; record: ConnectionRecord}>()
  readonly #tickers = new Map<string, {ticker: Ticker; fromOptions: boolean}>()
  #closing = false

  constructor(options: NormalizedOptions, engine: Engine) {
    this.options = options
    this.engine = engine
    this.connections = new ConnectionRegistry(options.connectionHistory)
    this.faults = new FaultRegistry({
      streams: () => this.connections.live(),
      stream: (id) => this.connections.get(id),
      injected: (entry) => this.stats.faultInjected(entry.fault.type, entry.via),
    })
  }

  /** Starts the tickers of the options; called once the server listens. */
  startConfiguredTickers(): void {
    for (const ticker of this.options.tickers) this.startTicker(ticker, true)
  }

  get heartbeatMs(): number {
    return this.options.heartbeatMs
  }

  get maxQueuedBytes(): number {
    return this.options.maxQueuedBytes
  }

  get closing(): boolean {
    return this.#closing
  }

  log(entry: LogEntry): void {
    this.options.logger(entry)
  }

  // --- channels and events -------------------------------------------------------------------------------------

  /** The channel, created on first use. */
  channel(name: string): Channel {
    let channel = this.#channels.get(name)
    if (!channel) {
      channel = new Channel(checkChannelName(name), this.options.replayLimit)
      this.#channels.set(name, channel)
      this.engine.follow(channel)
    }
    return channel
  }

  /** The channel, which must exist already (for requests that read it). */
  existingChannel(name: unknown): Channel {
    const channel = this.#channels.get(checkChannelName(name))
    if (channel) return channel
    const known = [...this.#channels.keys()].slice(0, 20)
    throw new TestServerError(
      'unknown-channel',
      `No channel named '${String(name)}' (known: ${known.length ? known.join(', ') : 'none yet'})`,
    )
  }

  hasChannel(name: string): boolean {
    return this.#channels.has(name)
  }

  channelInfos(): ChannelInfo[] {
    return [...this.#channels.values()].map((channel) => channel.info())
  }

  /** Publishes one event: the event with its id, or a promise of it on a fleet. */
  publish(channelName: string, input: unknown): MaybePromise<PublishedEvent> {
    const published = this.publishAll(channelName, [input])
    return Array.isArray(published)
      ? (published[0] as PublishedEvent)
      : published.then((all) => all[0] as PublishedEvent)
  }

  /** Publishes events with consecutive ids, all of them or (a bad event, Redis unreachable) none. */
  publishAll(channelName: string, inputs: readonly unknown[]): MaybePromise<PublishedEvent[]> {
    if (this.#closing) throw new TestServerError('closed', 'The server is closing; nothing more can be published')
    const events = inputs.map(normalizeEvent)
    const published = this.engine.publish(this.channel(channelName), events, Date.now())
    if (Array.isArray(published)) {
      this.stats.eventsPublished += published.length
      return published
    }
    return published.then((all) => {
      this.stats.eventsPublished += all.length
      return all
    })
  }

  /** `undefined` when a stream can open on the channel now, else a promise settled once it can. */
  whenCurrent(channel: Channel): Promise<void> | undefined {
    return this.engine.whenCurrent(channel)
  }

  // --- faults --------------------------------------------------------------------------------------------------

  /** Validates and registers a fault; it applies at once to the open connections it targets. */
  inject(fault: unknown, target: unknown, via: FaultSource): FaultEntry {
    // A control request carries its target next to the fault's fields: name them when a field is unknown.
    const targets = via === 'control' ? TARGET_FIELDS : []
    return this.faults.inject(parseFault(fault, {targets}), target, via)
  }

  /** Lifts the stalls and holds of the streams `filter` selects (of one fault only, with `faultId`). */
  resume(filter: StreamFilter = {}, faultId?: string): number {
    let resumed = 0
    for (const stream of [...this.connections.live()]) {
      if (selects(filter, stream) && stream.resume(faultId)) resumed++
    }
    return resumed
  }

  /** Resolves with the record of the first connection the fault fired on. */
  whenFired(entry: FaultEntry, timeoutMs: number): Promise<ConnectionRecord> {
    const first = entry.firedOn[0]
    const initial = first === undefined ? undefined : this.connections.record(first)
    return this.#fired.wait(
      ({faultId, record}) => (faultId === entry.id ? record : undefined),
      timeoutMs,
      () => `Fault ${entry.id} (${entry.fault.type}) did not fire`,
      initial,
    )
  }

  /** Records that a fault took effect on a connection and wakes whoever waits for it. */
  fired(entry: FaultEntry, stream: Stream): void {
    entry.firedOn.push(stream.id)
    if (this.#fired.size > 0) this.#fired.notify({faultId: entry.id, record: stream.snapshot()})
  }

  /** Applies a connect fault while the connection is answered: noted on the record, `effect` run, waiters woken. */
  connectFault<T>(entry: FaultEntry, stream: Stream, effect: () => T): T {
    stream.noteFired(entry.id, entry.fault.type, entry.via)
    const result = effect()
    this.fired(entry, stream)
    return result
  }

  handBack(entry: FaultEntry, remaining: number): void {
    this.faults.handBack(entry, remaining)
  }

  apply(entry: FaultEntry, stream: Stream): void {
    applyStreamFault(entry, stream)
    this.fired(entry, stream)
  }

  // --- streams -------------------------------------------------------------------------------------------------

  /** A stream request was answered with a stream. */
  opened(stream: Stream): void {
    const resumed = stream.lastEventId === undefined ? '' : ` with Last-Event-ID ${stream.lastEventId}`
    this.log({
      level: 'info',
      message: `${stream.id} opened on '${stream.channel.name}'${resumed}`,
      connection: stream.id,
    })
    this.connections.changed(stream)
  }

  closed(stream: Stream): void {
    this.stats.closedBytes += stream.bytesSent
    this.log({
      level: 'info',
      message: `${stream.id} on '${stream.channel.name}' closed by ${stream.closedBy}: ${stream.closeReason}`,
      connection: stream.id,
      ...(stream.closeReason === undefined ? {} : {reason: stream.closeReason}),
    })
    this.connections.closed(stream)
  }

  /** Ends the live streams `filter` selects, after an optional last frame. Returns how many. */
  endStreams(filter: StreamFilter, closedBy: ClosedBy, reason: CloseReason, lastFrame?: Buffer): number {
    let ended = 0
    for (const stream of [...this.connections.live()]) {
      if (!selects(filter, stream)) continue
      if (lastFrame) stream.write(lastFrame)
      stream.end(closedBy, reason, reason === 'shutdown')
      ended++
    }
    return ended
  }

  // --- tickers -------------------------------------------------------------------------------------------------

  /** Starts a ticker; one per channel, so starting another on the same channel replaces it. */
  startTicker(options: TickerOptions = {}, fromOptions = false): Ticker {
    if (this.#closing) throw new TestServerError('closed', 'The server is closing; no ticker can start')
    const config = normalizeTicker(options)
    this.stopTicker(config.channel)
    const ticker = startTicker(config, (event) => this.#tick(config.channel, event))
    this.#tickers.set(config.channel, {ticker, fromOptions})
    return ticker
  }

  /** One tick: a tick that cannot be published (Redis unreachable) is logged and skipped, the ticker goes on. */
  #tick(channel: string, event: unknown): void {
    const skipped = (error: unknown): void =>
      this.log({level: 'warn', message: `Ticker on '${channel}' skipped a tick: ${(error as Error).message}`, channel})
    try {
      const published = this.publish(channel, event)
      if (published instanceof Promise) published.catch(skipped)
    } catch (error) {
      skipped(error)
    }
  }

  stopTicker(channel: string): boolean {
    const running = this.#tickers.get(channel)
    running?.ticker.stop()
    return this.#tickers.delete(channel)
  }

  tickers(): Ticker[] {
    return [...this.#tickers.values()].map(({ticker}) => ticker)
  }

  // --- lifecycle -----------------------------------------------------------------------------------------------

  /**
   * Back to a fresh state: faults withdrawn, tickers started at runtime stopped, every stream ended (`reset`),
   * channels, logs and ids dropped, connection history forgotten.
   */
  reset(): void {
    this.faults.clear()
    for (const [channel, {fromOptions}] of this.#tickers) if (!fromOptions) this.stopTicker(channel)
    this.endStreams({}, 'server', 'reset')
    for (const channel of this.#channels.values()) this.engine.unfollow(channel)
    this.#channels.clear()
    this.connections.forget()
  }

  /** Forgets one channel: its faults, its ticker, its streams (ended), its log and its closed records. */
  disposeChannel(name: string, reason: CloseReason): void {
    this.faults.clear({channel: name})
    this.stopTicker(name)
    this.endStreams({channel: name}, 'server', reason)
    const channel = this.#channels.get(name)
    if (channel) this.engine.unfollow(channel)
    this.#channels.delete(name)
    this.connections.forget(name)
  }

  /** The start of a graceful shutdown: no new work, a final event on every stream, every stream ended. */
  shutdown(): void {
    if (this.#closing) return
    this.#closing = true
    for (const channel of [...this.#tickers.keys()]) this.stopTicker(channel)
    const {shutdownEvent} = this.options
    const frame = shutdownEvent ? eventFrame(shutdownEvent) : undefined
    this.endStreams({}, 'server', 'shutdown', frame)
    const closed = new TestServerError('closed', 'The server closed')
    this.connections.rejectWaiters(closed)
    this.#fired.rejectAll(closed)
  }

  /** Clears the faults aimed at `target`, or all. */
  clearFaults(target: FaultTarget = {}): number {
    return this.faults.clear(target)
  }
}
