/** The backoff settings that shape the delay curve. */
export interface BackoffPolicy {
  factor: number
  maxDelay: number
  jitter: number
}

/**
 * The delay before reconnection attempt `attempt` (1 for the first retry after a failure).
 *
 * `base` is the reconnection time (the `retryDelay` option, or the server's `retry:`). The exponential part is
 * capped at `maxDelay`, but never drops below `base` or `floor` (a `Retry-After`): [spec] the spec lets a client
 * wait longer than the reconnection time, never shorter. Jitter is then added on top, never subtracted.
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
  const exponential = Math.min(policy.maxDelay, base * policy.factor ** Math.max(0, attempt - 1))
  const delay = Math.max(base, exponential, floor)
  return Math.ceil(delay + random() * policy.jitter * delay)
}
