import type {TransportCounters} from '../transport-strategy'

/**
 * The longest an empty poll must have waited to count as complete: one that ends sooner with no event (a server
 * that ignores `pollTimeoutMs`, or answers every poll at once) is a failure that backs off, so that polling can
 * never become a storm of requests. Capped by the poll timeout itself.
 */
export const MIN_EMPTY_POLL = 1_000

/** What the attempt in progress delivered, read from the source's live counters. */
export interface AttemptRecord {
  /** An attempt starts now. */
  start(): void
  /** No byte of the attempt's body has arrived. */
  silent(): boolean
  /**
   * The attempt, a long poll that ended cleanly, is complete: it delivered an event (a duplicate counts), or it
   * waited at least `min(pollTimeout, MIN_EMPTY_POLL)` ms for one.
   */
  completedPoll(): boolean
}

export function recordAttempts(counters: TransportCounters, pollTimeout: number): AttemptRecord {
  const minEmptyPoll = Math.min(pollTimeout, MIN_EMPTY_POLL)
  const events = (): number => counters.messages + counters.duplicates
  let startedAt = 0
  let bytesBefore = 0
  let eventsBefore = 0
  return {
    start() {
      startedAt = Date.now()
      bytesBefore = counters.bytes
      eventsBefore = events()
    },
    silent: () => counters.bytes === bytesBefore,
    completedPoll: () => events() > eventsBefore || Date.now() - startedAt >= minEmptyPoll,
  }
}
