import {HoldfastError} from '../errors'
import {MAX_DELAY, type NormalizedOptions} from '../options'

/** Options of `pollTransport()`. */
export interface PollTransportOptions {
  /**
   * How long the server may hold a poll that has no event to send, in ms: sent as `pollTimeoutMs`. Behind a proxy
   * that buffers, not even a heartbeat arrives before the poll ends, so it must stay below the source's
   * `idleTimeout`, with room for the round trip. From 100 ms. @defaultValue half the `idleTimeout`, at most 25000
   */
  pollTimeout?: number
}

/** Options of `autoTransport()`: a poll's, and when to switch. */
export interface AutoTransportOptions extends PollTransportOptions {
  /**
   * Starved streaming attempts in a row (ended by the idle watchdog before a single byte of their body arrived)
   * after which requests long-poll. @defaultValue `2`
   */
  switchAfter?: number
  /**
   * How long to long-poll before a stream is tried again, in ms. A stream still starved sends requests back to
   * polling at once, and doubles this wait (up to an hour, or this value if it is longer); a stream that delivers
   * resets it. From 1000 ms. @defaultValue `300000` (5 minutes)
   */
  retryStreamAfter?: number
}

/** The defaults of the strategies' own options (`pollTimeout`'s depends on the source's `idleTimeout`). */
export const transportDefaults = Object.freeze({switchAfter: 2, retryStreamAfter: 300_000, pollTimeout: 25_000})

/** The shortest `pollTimeout`: an empty poll may end after it and be followed at once by the next. */
export const MIN_POLL_TIMEOUT = 100

/** The shortest `retryStreamAfter`: at least a second of polling between two tries of a stream. */
export const MIN_RETRY_STREAM_AFTER = 1_000

function invalid(message: string): never {
  throw new HoldfastError('invalid-option', `Invalid transport option: ${message}`)
}

function check(name: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > MAX_DELAY)
    invalid(`\`${name}\` must be an integer from ${min} to ${MAX_DELAY}, got ${String(value)}`)
  return value as number
}

/** The strategies' options, validated; throws a HoldfastError `invalid-option` naming the bad one. */
export function normalizeTransportOptions(options: AutoTransportOptions | undefined): {
  pollTimeout: number | undefined
  switchAfter: number
  retryStreamAfter: number
} {
  if (options !== undefined && (typeof options !== 'object' || options === null))
    invalid(`the options must be an object, got ${String(options)}`)
  const {pollTimeout, switchAfter, retryStreamAfter} = options ?? {}
  return {
    pollTimeout: check('pollTimeout', pollTimeout, MIN_POLL_TIMEOUT),
    switchAfter: check('switchAfter', switchAfter, 1) ?? transportDefaults.switchAfter,
    retryStreamAfter:
      check('retryStreamAfter', retryStreamAfter, MIN_RETRY_STREAM_AFTER) ?? transportDefaults.retryStreamAfter,
  }
}

/**
 * What a source must allow for its requests to long-poll, checked as it starts; returns the poll timeout to use.
 * A poll re-sends the request for every batch, so a non-GET one must be allowed to (`retryNonGet`), and its wait
 * must end before the idle watchdog gives up on it.
 */
export function pollTimeoutFor(options: Readonly<NormalizedOptions>, pollTimeout: number | undefined): number {
  const {idleTimeout, method, retryNonGet} = options
  if (method !== 'GET' && !retryNonGet)
    invalid(`long polling re-sends the request for every batch: a ${method} source needs \`retryNonGet: true\``)
  const half = Math.floor(idleTimeout / 2) || Infinity
  const chosen = pollTimeout ?? Math.max(MIN_POLL_TIMEOUT, Math.min(transportDefaults.pollTimeout, half))
  if (idleTimeout > 0 && chosen >= idleTimeout)
    invalid(`\`pollTimeout\` (${chosen} ms) must be below the source's \`idleTimeout\` (${idleTimeout} ms)`)
  return chosen
}
