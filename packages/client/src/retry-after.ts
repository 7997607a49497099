const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec'

/** asctime's date (`Sun Nov  6 08:49:37 1994`), which names no zone: RFC 9110 says it is UTC. */
const ASCTIME = /^[A-Za-z]{3} ([A-Za-z]{3}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})$/

/** An HTTP-date in any of RFC 9110's three formats, as ms since the epoch; NaN when it is not one. */
function parseHttpDate(value: string): number {
  const asctime = ASCTIME.exec(value)
  if (!asctime) return Date.parse(value) // IMF-fixdate and RFC 850 name GMT themselves
  const [, month, day, hours, minutes, seconds, year] = asctime as unknown as string[]
  const index = MONTHS.indexOf(month!) / 3
  return Number.isInteger(index) ? Date.UTC(+year!, index, +day!, +hours!, +minutes!, +seconds!) : NaN
}

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
  const date = parseHttpDate(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
