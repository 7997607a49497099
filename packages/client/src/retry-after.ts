/**
 * Parses a `Retry-After` header, either delay-seconds or an HTTP-date, into milliseconds from `now`.
 * Returns `undefined` when the header is absent or unparseable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  // HTTP-dates start with a day name ("Sun, 06 Nov 1994 ..."); Date.parse alone would also take "-5" or "1.5".
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined
  // RFC 9110's three formats: IMF-fixdate and RFC 850 name GMT; asctime ("Sun Nov  6 08:49:37 1994") names no
  // zone and is UTC too, so it is rewritten as IMF-fixdate rather than read as local time.
  const date = Date.parse(trimmed.replace(/^(\w{3}) (\w{3}) +(\d\d?) ([\d:]{8}) (\d{4})$/, '$1, $3 $2 $5 $4 GMT'))
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
