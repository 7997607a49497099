import type {HoldfastEventSourceInit} from '@holdfast/client'

/**
 * The default identity of a stream: its URL and every option of the source that is not a function, in a stable
 * order. Functions (an inline `headers`, say) are new on every render and never tell streams apart; `lastEventId`
 * only says where a new connection starts. Values that JSON cannot show (a `FormData` body) count by their type.
 */
export function streamKey(url: string, options: HoldfastEventSourceInit): string {
  const parts: Array<[string, unknown]> = []
  for (const name of Object.keys(options).sort()) {
    const value = (options as Record<string, unknown>)[name]
    if (value === undefined || typeof value === 'function' || name === 'lastEventId') continue
    parts.push([name, describe(value)])
  }
  return JSON.stringify([url, parts])
}

function describe(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(describe)
  const prototype = Object.getPrototypeOf(value) as object | null
  if (prototype !== Object.prototype && prototype !== null) {
    // Headers and URLSearchParams list their entries; other objects (FormData, Blob, storage) count by type.
    if (typeof (value as {entries?: unknown}).entries === 'function' && !(value instanceof Map))
      return [value.constructor.name, [...(value as {entries(): Iterable<unknown>}).entries()]]
    return `[${value.constructor.name}]`
  }
  const entries = Object.entries(value)
    .filter(([, v]) => typeof v !== 'function')
    .sort(([a], [b]) => (a < b ? -1 : 1))
  return Object.fromEntries(entries.map(([k, v]) => [k, describe(v)]))
}
