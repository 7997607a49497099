import {logEntry, type Channel, type NormalizedEvent} from '../channel.js'
import type {PublishedEvent} from '../types.js'
import type {Engine, EngineHealth} from './engine.js'

const ALWAYS_UP: EngineHealth = Object.freeze({up: true, outages: 0, publishFailures: 0})

/** The engine of a single server: ids, logs and fan-out in this process, synchronous. */
export class MemoryEngine implements Engine {
  readonly kind = 'memory'
  readonly health = ALWAYS_UP

  follow(): void {}

  unfollow(): void {}

  whenCurrent(): undefined {
    return undefined
  }

  publish(channel: Channel, events: readonly NormalizedEvent[], now: number): PublishedEvent[] {
    return events.map((event) => {
      const entry = logEntry(channel.name, channel.lastSeq + 1, event, now)
      channel.append(entry)
      return entry.event
    })
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}
