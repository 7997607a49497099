import {browserEnvironment} from '../awareness'
import type {TransportName, TransportStrategy} from '../transport-strategy'
import {recordAttempts} from './attempts'
import {normalizeTransportOptions, pollTimeoutFor, type AutoTransportOptions} from './options'
import {pollUrls} from './poll-url'
import {TransportChangeEvent, type TransportChangeReason} from './transport-change-event'
import {HoldfastError} from '../errors'

/** The longest wait between two tries of a stream (unless `retryStreamAfter` is longer). */
export const MAX_RETRY_STREAM_AFTER = 3_600_000

/** Where an automatic source stands: the transport its next attempt takes, and why. */
type Phase =
  /** `starved`: streaming attempts in a row that received no byte. `retrying`: this spell retries a stream after polling. */
  | {transport: 'stream'; starved: number; retrying: boolean}
  /** Long-polling until `retryAt`, when a stream is tried again. */
  | {transport: 'poll'; retryAt: number}

/**
 * [ext] Streams, and long-polls behind a proxy that buffers the stream. Buffering is detected when `switchAfter`
 * streaming attempts in a row are starved: the idle watchdog ended them before a single byte of their body arrived
 * (neither the response head nor a heartbeat came through, or the head came and nothing followed), although a
 * server that sends heartbeats more often than `idleTimeout` always gets a byte through a proxy that does not
 * buffer. From then on requests long-poll (`pollTransport()`), and a stream is tried again after
 * `retryStreamAfter` ms of polling and whenever the device comes back online; a stream still starved returns to
 * polling at once. `source.transport` says which is in use, and `transportchange` fires when it changes.
 *
 * @throws HoldfastError `invalid-option` for a bad option, and from the constructor of a source that cannot use it:
 * no idle watchdog (`idleTimeout: 0`), a `pollTimeout` not below its `idleTimeout`, or a non-GET request without
 * `retryNonGet`.
 * @example new EventSource('/feed', {transport: autoTransport()})
 */
export function autoTransport(options?: AutoTransportOptions): TransportStrategy {
  const {pollTimeout, switchAfter, retryStreamAfter} = normalizeTransportOptions(options)
  const longestRetry = Math.max(MAX_RETRY_STREAM_AFTER, retryStreamAfter)
  return (url, sourceOptions, counters, owner) => {
    if (sourceOptions.idleTimeout === 0)
      throw new HoldfastError(
        'invalid-option',
        'Invalid transport option: autoTransport() detects buffering with the idle watchdog, which `idleTimeout: 0` turns off',
      )
    const timeout = pollTimeoutFor(sourceOptions, pollTimeout)
    const urls = pollUrls(url, timeout)
    const attempts = recordAttempts(counters, timeout)
    const environment = sourceOptions.environment ?? browserEnvironment()
    let phase: Phase = {transport: 'stream', starved: 0, retrying: false}
    /** The transport of the attempt in progress, or of the last one. */
    let current: TransportName = 'stream'
    let reason: TransportChangeReason = 'buffering'
    /** How long the next spell of polling lasts before a stream is tried again. */
    let retryWait = retryStreamAfter

    function stream(why: TransportChangeReason, retrying: boolean): void {
      phase = {transport: 'stream', starved: 0, retrying}
      reason = why
    }

    function poll(): void {
      // A stream tried again and still starved: the next spell of polling lasts twice as long.
      if (phase.transport === 'stream' && phase.retrying) retryWait = Math.min(retryWait * 2, longestRetry)
      phase = {transport: 'poll', retryAt: Date.now() + retryWait}
      reason = 'buffering'
    }

    let online = environment.isOnline()
    const unsubscribe = environment.subscribe(() => {
      const wasOnline = online
      online = environment.isOnline()
      if (!online || wasOnline) return
      // Back online, perhaps on another network: a stream gets a fresh chance, and the next spell of polling its
      // full wait again.
      retryWait = retryStreamAfter
      stream('online', false)
    })

    return {
      get transport() {
        return current
      },
      url(target) {
        if (phase.transport === 'poll' && Date.now() >= phase.retryAt) stream('retry', true)
        attempts.start()
        const next = phase.transport
        if (next !== current) {
          const previous = current
          current = next
          owner?.dispatchEvent(new TransportChangeEvent(next, previous, reason))
        }
        return next === 'poll' ? urls.poll(target) : urls.stream(target)
      },
      ended: () => current === 'poll' && attempts.completedPoll(),
      failed(error) {
        // Only a streaming attempt tells about buffering (and only while streams are still what comes next).
        if (current !== 'stream' || phase.transport !== 'stream') return
        if (!attempts.silent()) {
          // Bytes came through: streaming works here.
          retryWait = retryStreamAfter
          phase = {transport: 'stream', starved: 0, retrying: false}
        } else if (error.code === 'idle-timeout' && (++phase.starved >= switchAfter || phase.retrying)) poll()
      },
      close: unsubscribe,
    }
  }
}
