/** [ext] The query parameter that asks the server for a long poll (`transport=poll`). */
export const TRANSPORT_PARAM = 'transport'
/** [ext] The query parameter that tells the server how long a poll may wait for an event, in ms. */
export const POLL_TIMEOUT_PARAM = 'pollTimeoutMs'

/**
 * Builds the URLs of both transports for a source whose own URL is `sourceUrl`. A stream request carries the
 * source's own values of the two parameters (usually none), whatever a redirected poll left in the URL it goes to.
 */
export function pollUrls(sourceUrl: string, pollTimeout: number) {
  const own = new URL(sourceUrl).searchParams
  const params = [TRANSPORT_PARAM, POLL_TIMEOUT_PARAM]
  const pollValues = ['poll', String(pollTimeout)]
  const streamValues = params.map((name) => own.get(name))

  function withParams(target: string, values: Array<string | null>): string {
    const url = new URL(target)
    const query = url.searchParams
    if (params.every((name, i) => query.get(name) === values[i])) return target // untouched: no re-serialized query
    params.forEach((name, i) => {
      const value = values[i]
      if (value == null) query.delete(name)
      else query.set(name, value)
    })
    return url.href
  }

  return {
    /** `target` asking for a long poll: `transport=poll&pollTimeoutMs=N`. */
    poll: (target: string): string => withParams(target, pollValues),
    /** `target` as a stream request. */
    stream: (target: string): string => withParams(target, streamValues),
  }
}
