import type {Channel, NormalizedEvent} from '../channel.js'
import {TestServerError} from '../errors.js'
import type {RedisConfig} from '../options.js'
import type {Logger, PublishedEvent} from '../types.js'
import type {Engine, EngineHealth} from './engine.js'
import {Follower, type FollowerHost, type RawEvent, type Snapshot} from './redis-follower.js'
import {
  channelKeys,
  encodePayload,
  parseLiveMessage,
  PUBLISH_SCRIPT,
  RESTORE_SCRIPT,
  seqOfStreamId,
  SYNC_SCRIPT,
  type ChannelKeys,
} from './redis-scripts.js'

/** The part of node-redis this engine uses (`@redis/client`, loaded only when the `redis` option is given). */
interface RedisConnection {
  readonly isReady: boolean
  connect(): Promise<unknown>
  duplicate(): RedisConnection
  sendCommand(args: string[]): Promise<unknown>
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>
  unsubscribe(channel: string): Promise<unknown>
  on(event: 'error' | 'ready' | 'reconnecting' | 'end', listener: (error?: Error) => void): unknown
  destroy(): void
}

/** Reconnection delays once running: 50 ms doubling up to 1 s, for as long as it takes. */
function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** retries, 1000)
}

/** How long to wait before catching up again when a channel failed to while Redis answered. */
const RETRY_CATCH_UP_MS = 250

function messageOf(error: unknown): string {
  const inner = (error as {originalError?: unknown})?.originalError ?? error
  const text = inner instanceof Error ? inner.message : String(inner)
  // Node's AggregateError (IPv4 and IPv6 both refused) has an empty message; its parts say it.
  if (text === '' && inner instanceof AggregateError)
    return inner.errors.map((part: unknown) => (part as Error).message).join('; ')
  return text || 'unknown error'
}

type Link = {name: 'up'} | {name: 'down'; since: number; cause: string} | {name: 'closed'}

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
  #recovering: Promise<void> | undefined
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

  /**
   * Connects both connections, or fails fast with `redis-unavailable` naming the URL: no retry at start, so a wrong
   * URL is an error, not a hang. Once connected, lost connections are retried forever.
   */
  static async connect(config: RedisConfig, replayLimit: number, log: Logger): Promise<RedisEngine> {
    const {createClient} = await import('@redis/client')
    let running = false
    const commands = createClient({
      url: config.url,
      // Commands fail at once while Redis is unreachable instead of queueing: a publish is refused, never delayed.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: config.connectTimeoutMs,
        reconnectStrategy: (retries: number, cause: Error) => (running ? reconnectDelay(retries) : cause),
      },
    }) as unknown as RedisConnection
    const subscriber = commands.duplicate()
    // Errors before the engine exists are reported by connect() itself.
    const quiet = (): void => {}
    commands.on('error', quiet)
    subscriber.on('error', quiet)
    try {
      await commands.connect()
      await subscriber.connect()
    } catch (error) {
      commands.destroy()
      subscriber.destroy()
      throw new TestServerError(
        'redis-unavailable',
        `Cannot connect to Redis at ${config.displayUrl}: ${messageOf(error)}`,
        {cause: error},
      )
    }
    running = true
    return new RedisEngine(config, replayLimit, log, commands, subscriber)
  }

  get health(): EngineHealth {
    return {up: this.#link.name === 'up', outages: this.#outages, publishFailures: this.#publishFailures}
  }

  follow(channel: Channel): void {
    const keys = channelKeys(this.#config.keyPrefix, channel.name)
    const down = this.#link.name === 'up' ? undefined : this.#unavailable('Redis')
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

  async snapshot(keys: ChannelKeys, afterSeq: number): Promise<Snapshot> {
    let reply: unknown
    try {
      reply = await this.#commands.sendCommand(['EVAL', SYNC_SCRIPT, '2', keys.counter, keys.log, String(afterSeq)])
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

  // --- the link ---------------------------------------------------------------------------------------------------

  readonly #onMessage = (message: string, liveChannel: string): void => {
    const follower = this.#byLiveChannel.get(liveChannel)
    const event = parseLiveMessage(message)
    if (follower && event) follower.live(event)
  }

  /** A connection failed or is reconnecting: publishes are refused and new streams wait until both are back. */
  #lost(error: Error | undefined): void {
    if (this.#link.name !== 'up') {
      if (this.#link.name === 'down' && error && this.#link.cause === 'connection lost')
        this.#link.cause = messageOf(error)
      return
    }
    this.#link = {name: 'down', since: Date.now(), cause: error ? messageOf(error) : 'connection lost'}
    this.#outages++
    this.#log({
      level: 'warn',
      message: `Lost the connection to Redis at ${this.#config.displayUrl} (${this.#link.cause}); publishes fail and new streams get 503 until it is back, open streams stay open`,
    })
    const down = this.#unavailable('Redis')
    for (const follower of this.#followers.values()) follower.lost(down)
  }

  /** A connection is ready again: once both are, every channel catches up, then publishes are taken again. */
  #ready(): void {
    if (this.#link.name !== 'down' || this.#recovering || this.#retry) return
    if (!this.#commands.isReady || !this.#subscriber.isReady) return
    const since = this.#link.since
    this.#recovering = Promise.allSettled([...this.#followers.values()].map((follower) => follower.resync())).then(
      (results) => {
        this.#recovering = undefined
        if (this.#link.name !== 'down') return
        // Not both ready: the next 'ready' starts over. Both ready again while this ran: start over now.
        if (!this.#commands.isReady || !this.#subscriber.isReady) return
        if (results.some((result) => result.status === 'rejected') && this.#anyStale()) {
          // A channel could not catch up although both connections are up (lost and back meanwhile, say).
          this.#retry = setTimeout(() => {
            this.#retry = undefined
            this.#ready()
          }, RETRY_CATCH_UP_MS)
          return
        }
        this.#link = {name: 'up'}
        this.#log({
          level: 'info',
          message: `Redis at ${this.#config.displayUrl} is back after ${Date.now() - since} ms; every channel caught up`,
        })
      },
    )
  }

  #anyStale(): boolean {
    for (const follower of this.#followers.values()) if (follower.state === 'stale') return true
    return false
  }

  #unavailable(what: string): TestServerError {
    const cause = this.#link.name === 'down' ? ` (${this.#link.cause})` : ''
    return new TestServerError('redis-unavailable', `${what} at ${this.#config.displayUrl} is unreachable${cause}`)
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
