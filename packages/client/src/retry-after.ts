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
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
