import type {Channel, NormalizedEvent} from '../channel.js'
import type {PublishedEvent} from '../types.js'

/** How the shared engine is doing, for `/health` and `/metrics`. */
export interface EngineHealth {
  /** False while the engine cannot take publishes (Redis unreachable). Always true in memory. */
  readonly up: boolean
  /** Times the engine was lost while running. */
  readonly outages: number
  /** Publishes refused because the engine was down. */
  readonly publishFailures: number
}

/**
 * The one seam between a server and what a fleet of servers shares: id allocation, the replay log and the fan-out of
 * publishes. `memory.ts` keeps it in this process (one server); `redis.ts` keeps it in Redis, so that every server
 * pointed at the same Redis shares channels, ids, logs and publishes. The hub and the streams only ever see
 * {@link Channel}s: the engine appends every event to the channel of every server that follows it, in id order.
 */
export interface Engine {
  readonly kind: 'memory' | 'redis'
  readonly health: EngineHealth
  /** Starts keeping `channel` current on this server; called once, when the channel is created here. */
  follow(channel: Channel): void
  /** Stops; the channel was forgotten here (its shared log, if any, stays). */
  unfollow(channel: Channel): void
  /**
   * `undefined` when a stream can open on `channel` right now (its log and last id are current); otherwise a
   * promise that settles once it can, or rejects with `redis-unavailable` while the engine is down.
   */
  whenCurrent(channel: Channel): Promise<void> | undefined
  /**
   * Allocates the next ids, stores the events and fans them out, all of them or none. In memory, synchronously,
   * with every subscriber served before it returns; on Redis, a promise that settles once Redis stored them and this
   * server's subscribers got them.
   */
  publish(
    channel: Channel,
    events: readonly NormalizedEvent[],
    now: number,
  ): PublishedEvent[] | Promise<PublishedEvent[]>
  /** Releases connections and timers. */
  close(): Promise<void>
}
