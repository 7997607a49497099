import type {HoldfastError} from './errors'
import type {NormalizedOptions} from './options'

/** Whether a request may be sent again: a non-GET only when `retryNonGet` allows it; [ext] a stream body never. */
export function resendable(options: NormalizedOptions): boolean {
  return (options.method === 'GET' || options.retryNonGet) && !(options.body instanceof ReadableStream)
}

/**
 * Holdfast's own answer to "retry after this failure?", before any `shouldRetry` hook.
 *
 * Transient failures retry: the network, a stream that ended or went silent, a headers function that failed, and
 * the statuses in `retryStatuses`. [spec] 204, other statuses and a wrong content type fail for good, as does an
 * oversized event (the server would only send it again), and so do `invalid-*` errors, whatever `shouldRetry` says.
 * A non-GET request is never re-sent unless allowed.
 */
export function defaultRetryDecision(error: HoldfastError, options: NormalizedOptions): boolean {
  if (!resendable(options)) return false
  if (error.code === 'http-status') return options.retryStatuses.includes(error.status!)
  return /^(network|headers|stream-ended|idle-timeout)$/.test(error.code)
}

/**
 * Runs the `shouldRetry` hook, if any, over the default decision. Stays synchronous when the hook is, so that the
 * common path fires its events without an extra turn. A hook that throws or rejects counts as `false`.
 */
export function decideRetry(
  error: HoldfastError,
  attempt: number,
  options: NormalizedOptions,
): boolean | Promise<boolean> {
  const fallback = defaultRetryDecision(error, options)
  const hook = options.shouldRetry
  // A bad option or a fetch that returns no usable response fails the same way every time, and a stream body that
  // was sent cannot be sent again: never retried.
  if (!hook || /^invalid-/.test(error.code) || options.body instanceof ReadableStream) return fallback
  let verdict: ReturnType<typeof hook>
  try {
    verdict = hook(error, attempt)
  } catch {
    return false
  }
  if (verdict === undefined || typeof verdict === 'boolean') return verdict ?? fallback
  return Promise.resolve(verdict).then(
    (answer) => answer ?? fallback,
    () => false,
  )
}
