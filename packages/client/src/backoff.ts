import {MAX_DELAY} from './options'

/** The backoff settings that shape the delay curve. */
export interface BackoffPolicy {
  factor: number
  maxDelay: number
  jitter: number
}

/**
 * The base that consecutive failures grow from when the reconnection time is shorter: a server's `retry: 0` (or
 * `retryDelay: 0`) may make the first retry immediate, never a loop of them.
 */
export const GROWTH_FLOOR = 100

/**
 * The delay before reconnection attempt `attempt` (1 for the first retry after a failure).
 *
 * `base` is the reconnection time (the `retryDelay` option, or the server's `retry:`). The first retry waits `base`;
 * later ones grow from `max(base, GROWTH_FLOOR)`. The exponential part is capped at `maxDelay`, but never drops below
 * `base` or `floor` (a `Retry-After`): [spec] the spec lets a client wait longer than the reconnection time, never
 * shorter. Jitter is then added on top, never subtracted, and the result fits a timer.
 *
 * Pure: `random` is injected so the curve can be table-tested.
 */
export function reconnectDelay(
  attempt: number,
  base: number,
  policy: BackoffPolicy,
  random: () => number,
  floor = 0,
): number {
  const growth = attempt > 1 ? Math.max(base, GROWTH_FLOOR) : base
  const exponential = Math.min(policy.maxDelay, growth * policy.factor ** Math.max(0, attempt - 1))
  const delay = Math.max(base, exponential, floor)
  return Math.min(MAX_DELAY, Math.ceil(delay + random() * policy.jitter * delay))
}
