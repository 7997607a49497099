import type {Channel, NormalizedEvent} from '../channel.js'
import {TestServerError} from '../errors.js'
import {randomUUID} from 'node:crypto'
import type {RedisConfig} from '../options.js'
import type {Logger, PublishedEvent} from '../types.js'
import type {Engine, EngineHealth} from './engine.js'
import {messageOf, openConnections, type RedisConnection} from './redis-connection.js'
import {Follower, type FollowerHost, type RawEvent, type Snapshot} from './redis-follower.js'
import {
  channelKeys,
  encodePayload,
  parseBarrier,
  parseLiveMessage,
  PUBLISH_SCRIPT,
  RESTORE_SCRIPT,
  seqOfStreamId,
  SYNC_SCRIPT,
  type ChannelKeys,
} from './redis-scripts.js'

/** How long to wait before catching up again when a channel failed to while Redis answered. */
const RETRY_CATCH_UP_MS = 250

/**
 * - `up`: both connections ready, every channel current (or loading while Redis answers): publishes are taken.
 * - `down`: a connection is lost: publishes are refused, every channel is stale, new streams get 503.
 * - `catching-up`: both connections are back; channels catch up from the log, and those that did take streams
 *   again. Publishes wait for `up`, once every channel caught up, those first used meanwhile included.
 */
type Link =
  {name: 'up'} | {name: 'down'; since: number; cause: string} | {name: 'catching-up'; since: number} | {name: 'closed'}

/**
 * The engine of a fleet: ids, logs and fan-out in Redis, shared by every server pointed at the same Redis.
 * Two connections: one for commands (publish and snapshot scripts), one subscribed to the live channel of every
 * channel followed here. Publishing is one Lua script (ids, log, publish: one order for every server); each server
 * appends what its live channels carry, and catches up from the log after a reconnection (see redis-follower.ts).
 *
 * Why pub/sub and not `XREAD BLOCK` for the fan-out: the set of channels a server follows changes all the time (the
 * Playwright fixture makes one per test), and a pub/sub connection takes SUBSCRIBE at any moment, while a blocked
 * XREAD must be interrupted and re-issued with every key each time; each message carries the event, so delivery
 * costs no read; and it works with `replayLimit: 0`. Pub/sub delivers at most once, so the log stays the source of
 * truth: ids are consecutive, a hole or a reconnection triggers a catch-up from the log, and an id already seen is
 * dropped.
 */
export class RedisEngine implements Engine, FollowerHost {
  readonly kind = 'redis'
  readonly id = randomUUID()
  readonly #config: RedisConfig
  readonly #replayLimit: number
  readonly #log: Logger
  readonly #commands: RedisConnection
  readonly #subscriber: RedisConnection
  readonly #followers = new Map<string, Follower>()
  /** Live channel name → follower, for the one message listener. */
  readonly #byLiveChannel = new Map<string, Follower>()
  #link: Link = {name: 'up'}
  #outages = 0
  #publishFailures = 0
  #retry: ReturnType<typeof setTimeout> | undefined

  private constructor(
    config: RedisConfig,
    replayLimit: number,
    log: Logger,
    commands: RedisConnection,
    subscriber: RedisConnection,
  ) {
    this.#config = config
    this.#replayLimit = replayLimit
    this.#log = log
    this.#commands = commands
    this.#subscriber = subscriber
    for (const connection of [commands, subscriber]) {
      connection.on('error', (error) => this.#lost(error))
      connection.on('reconnecting', () => this.#lost(undefined))
      connection.on('ready', () => this.#ready())
    }
  }

  /** Connects both connections, or fails fast (see openConnections); lost connections are then retried forever. */
  static async connect(config: RedisConfig, replayLimit: number, log: Logger): Promise<RedisEngine> {
    const {commands, subscriber} = await openConnections(config)
    return new RedisEngine(config, replayLimit, log, commands, subscriber)
  }

  get health(): EngineHealth {
    return {up: this.#link.name === 'up', outages: this.#outages, publishFailures: this.#publishFailures}
  }

  follow(channel: Channel): void {
    const keys = channelKeys(this.#config.keyPrefix, channel.name)
    // While channels catch up both connections are ready: a channel first used then loads at once like the others.
    const down = this.#link.name === 'up' || this.#link.name === 'catching-up' ? undefined : this.#unavailable('Redis')
    const follower = new Follower(channel, keys, this, down)
    this.#followers.set(channel.name, follower)
    this.#byLiveChannel.set(keys.live, follower)
  }

  unfollow(channel: Channel): void {
    const follower = this.#followers.get(channel.name)
    if (!follower) return
    this.#followers.delete(channel.name)
    this.#byLiveChannel.delete(follower.keys.live)
    follower.stop(new TestServerError('closed', `The channel '${channel.name}' was forgotten on this server`))
    // While Redis is unreachable the subscription cannot be withdrawn; its messages then find no follower.
    if (this.#subscriber.isReady) this.#subscriber.unsubscribe(follower.keys.live).catch(() => {})
  }

  whenCurrent(channel: Channel): Promise<void> | undefined {
    return this.#followers.get(channel.name)?.whenCurrent()
  }

  async publish(channel: Channel, events: readonly NormalizedEvent[], now: number): Promise<PublishedEvent[]> {
    const follower = this.#followers.get(channel.name)
    if (this.#link.name !== 'up' || !follower) {
      this.#publishFailures++
      throw this.#unavailable(`Cannot publish to '${channel.name}': nothing was published, because Redis`)
    }
    const {keys} = follower
    const payloads = events.map((event) => encodePayload(event, now))
    let last: number
    try {
      const reply = await this.#commands.sendCommand([
        'EVAL',
        PUBLISH_SCRIPT,
        '2',
        keys.counter,
        keys.log,
        keys.live,
        String(this.#replayLimit),
        ...payloads,
      ])
      last = Number(reply)
    } catch (error) {
      this.#publishFailures++
      throw new TestServerError(
        'redis-unavailable',
        `Publishing to '${channel.name}' failed: Redis at ${this.#config.displayUrl} did not confirm it ` +
          `(${messageOf(error)}); it may have been stored, and is then delivered with its id`,
        {cause: error},
      )
    }
    const first = last - events.length + 1
    // Read-your-writes: once this resolves, this server's streams and `events()` have the events.
    await follower.whenSeen(last)
    return events.map((event, index) =>
      Object.freeze({
        id: String(first + index),
        channel: channel.name,
        event: event.event,
        data: event.data,
        retry: event.retry,
        publishedAt: now,
      }),
    )
  }

  async close(): Promise<void> {
    if (this.#link.name === 'closed') return
    this.#link = {name: 'closed'}
    clearTimeout(this.#retry)
    for (const follower of this.#followers.values()) follower.stop(new TestServerError('closed', 'The server closed'))
    this.#followers.clear()
    this.#byLiveChannel.clear()
    this.#commands.destroy()
    this.#subscriber.destroy()
  }

  // --- FollowerHost ----------------------------------------------------------------------------------------------

  async subscribe(keys: ChannelKeys): Promise<void> {
    try {
      await this.#subscriber.subscribe(keys.live, this.#onMessage)
    } catch (error) {
      throw this.#failed(error)
    }
  }

  async snapshot(keys: ChannelKeys, afterSeq: number, token: string): Promise<Snapshot> {
    let reply: unknown
    try {
      const args = [String(afterSeq), keys.live, token]
      reply = await this.#commands.sendCommand(['EVAL', SYNC_SCRIPT, '2', keys.counter, keys.log, ...args])
    } catch (error) {
      throw this.#failed(error)
    }
    const [counter, entries] = reply as [number, Array<[string, string[]]>]
    return {
      counter: Number(counter),
      entries: entries.map(([id, fields]): RawEvent => ({seq: seqOfStreamId(id), payload: payloadField(fields)})),
    }
  }

  async restore(keys: ChannelKeys, channel: Channel): Promise<void> {
    const pairs = channel.log
      .entries()
      .flatMap((entry) => [String(entry.seq), encodePayload(entry.event, entry.event.publishedAt)])
    try {
      await this.#commands.sendCommand([
        'EVAL',
        RESTORE_SCRIPT,
        '2',
        keys.counter,
        keys.log,
        String(channel.lastSeq),
        String(this.#replayLimit),
        ...pairs,
      ])
    } catch (error) {
      throw this.#failed(error)
    }
    this.#log({
      level: 'warn',
      message: `Redis at ${this.#config.displayUrl} had lost channel '${channel.name}' (restarted without persistence?); restored its last id ${channel.lastSeq} and ${channel.log.size} logged events from this server`,
      channel: channel.name,
    })
  }

  malformed(channel: Channel, seq: number): void {
    this.#log({
      level: 'warn',
      message: `Skipped event ${seq} of channel '${channel.name}' in Redis: its payload is not one this server wrote`,
      channel: channel.name,
    })
  }

  failed(): void {
    // While up, one channel could not load (Redis answered with an error): try the channels behind again soon.
    // While catching up, the catch-up itself tries again; while down, the reconnection will.
    const link = this.#link
    if (link.name === 'up' && !this.#retry) this.#catchUpLater(link)
  }

  // --- the link ---------------------------------------------------------------------------------------------------

  readonly #onMessage = (message: string, liveChannel: string): void => {
    const follower = this.#byLiveChannel.get(liveChannel)
    if (!follower) return
    const event = parseLiveMessage(message)
    if (event) follower.live(event)
    else {
      const token = parseBarrier(message)
      if (token !== undefined) follower.barrier(token)
    }
  }

  /**
   * A connection failed or is reconnecting: publishes are refused and new streams get 503 until both are back and
   * every channel caught up, also when this interrupts a catch-up (the channels that had caught up are stale again).
   */
  #lost(error: Error | undefined): void {
    const link = this.#link
    if (link.name === 'closed') return
    const cause = error ? messageOf(error) : 'connection lost'
    if (link.name === 'down') {
      if (error && link.cause === 'connection lost') link.cause = cause
      return
    }
    this.#link = {name: 'down', since: link.name === 'up' ? Date.now() : link.since, cause}
    clearTimeout(this.#retry)
    this.#retry = undefined
    const where = `Redis at ${this.#config.displayUrl}`
    if (link.name === 'up') {
      this.#outages++
      this.#log({
        level: 'warn',
        message: `Lost the connection to ${where} (${cause}); publishes fail and new streams get 503 until it is back, open streams stay open`,
      })
    } else {
      this.#log({level: 'warn', message: `Lost the connection to ${where} again while catching up (${cause})`})
    }
    const down = this.#unavailable('Redis')
    for (const follower of this.#followers.values()) follower.lost(down)
  }

  /** A connection is ready again: once both are, every channel catches up, then publishes are taken again. */
  #ready(): void {
    const link = this.#link
    if (link.name !== 'down' || !this.#commands.isReady || !this.#subscriber.isReady) return
    const catchingUp: Link = {name: 'catching-up', since: link.since}
    this.#link = catchingUp
    this.#catchUp(catchingUp)
  }

  /**
   * Catches up every channel that is not current, round after round, as long as `link` holds: a channel first used
   * during a round is in the next. Once none is behind, a catch-up after an outage makes the link `up`.
   */
  #catchUp(link: Link): void {
    if (this.#link !== link) return
    const behind = [...this.#followers.values()].filter((follower) => follower.state !== 'current')
    if (behind.length === 0) {
      if (link.name === 'catching-up') {
        this.#link = {name: 'up'}
        this.#log({
          level: 'info',
          message: `Redis at ${this.#config.displayUrl} is back after ${Date.now() - link.since} ms; every channel caught up`,
        })
      }
      return
    }
    void Promise.allSettled(behind.map((follower) => follower.resync())).then((results) => {
      if (this.#link !== link) return
      // A channel could not catch up although Redis answers (an error reply, say): again after a pause.
      if (results.some((result) => result.status === 'rejected')) this.#catchUpLater(link)
      else this.#catchUp(link)
    })
  }

  #catchUpLater(link: Link): void {
    clearTimeout(this.#retry)
    this.#retry = setTimeout(() => {
      this.#retry = undefined
      this.#catchUp(link)
    }, RETRY_CATCH_UP_MS)
  }

  #unavailable(what: string): TestServerError {
    const link = this.#link
    const state =
      link.name === 'catching-up'
        ? 'is back, and this server is still catching up'
        : `is unreachable${link.name === 'down' ? ` (${link.cause})` : ''}`
    return new TestServerError('redis-unavailable', `${what} at ${this.#config.displayUrl} ${state}`)
  }

  #failed(error: unknown): TestServerError {
    if (TestServerError.is(error)) return error
    return new TestServerError('redis-unavailable', `Redis at ${this.#config.displayUrl} failed: ${messageOf(error)}`, {
      cause: error,
    })
  }
}

/** The `p` field of a stream entry's field list. */
function payloadField(fields: string[]): string {
  const at = fields.indexOf('p')
  return at === -1 ? '' : (fields[at + 1] ?? '')
}
