import {MAX_DELAY, type NormalizedOptions} from './options'

/** The options that shape the delay curve; `random` is injected so the curve can be table-tested. */
export type BackoffPolicy = Pick<NormalizedOptions, 'backoffFactor' | 'maxRetryDelay' | 'jitter' | 'random'>

/**
 * The least delay of the second consecutive retry, which then grows by `backoffFactor` like the rest: a server's
 * `retry: 0` (or `retryDelay: 0`) may make the first retry immediate, never a loop of them.
 */
export const GROWTH_FLOOR = 100

/**
 * The delay before reconnection attempt `attempt` (1 for the first retry after a failure).
 *
 * `base` is the reconnection time (the `retryDelay` option, or the server's `retry:`). Retry n waits
 * `base × factor^(n−1)`, and from the second on at least `GROWTH_FLOOR × factor^(n−2)`, however small `base` is. The
 * exponential part is capped at `maxRetryDelay`, but never drops below
 * `base` or `floor` (a `Retry-After`): [spec] the spec lets a client wait longer than the reconnection time, never
 * shorter. Jitter is then added on top, never subtracted, and the result fits a timer.
 */
export function reconnectDelay(
  attempt: number,
  base: number,
  {backoffFactor, maxRetryDelay, jitter, random}: BackoffPolicy,
  floor = 0,
): number {
  const grown = base * backoffFactor ** Math.max(0, attempt - 1)
  const exponential = Math.min(
    maxRetryDelay,
    attempt > 1 ? Math.max(grown, GROWTH_FLOOR * backoffFactor ** (attempt - 2)) : grown,
  )
  const delay = Math.max(base, exponential, floor)
  return Math.min(MAX_DELAY, Math.ceil(delay + random() * jitter * delay))
}
