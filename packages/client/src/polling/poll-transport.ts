import type {TransportStrategy} from '../transport-strategy'
import {recordAttempts} from './attempts'
import {normalizeTransportOptions, pollTimeoutFor, type PollTransportOptions} from './options'
import {pollUrls} from './poll-url'

/**
 * [ext] Long polling, always: every request asks for a poll (`transport=poll&pollTimeoutMs=N`) and each poll that
 * ends complete is followed at once by the next, with the Last-Event-ID: readyState stays OPEN, and nothing is
 * fired. For networks known to buffer streams; `autoTransport()` finds out by itself.
 *
 * @throws HoldfastError `invalid-option` for a bad option, and from the constructor of a source that cannot poll:
 * a `pollTimeout` not below its `idleTimeout`, or a non-GET request without `retryNonGet`.
 * @example new EventSource('/feed', {transport: pollTransport({pollTimeout: 20_000})})
 */
export function pollTransport(options?: PollTransportOptions): TransportStrategy {
  const {pollTimeout} = normalizeTransportOptions(options)
  return (url, sourceOptions, counters) => {
    const timeout = pollTimeoutFor(sourceOptions, pollTimeout)
    const urls = pollUrls(url, timeout)
    const attempts = recordAttempts(counters, timeout)
    return {
      transport: 'poll',
      url(target) {
        attempts.start()
        return urls.poll(target)
      },
      ended: attempts.completedPoll,
      failed() {},
      close() {},
    }
  }
}
