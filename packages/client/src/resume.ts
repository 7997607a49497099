import type {LastEventIdTransport, StorageLike} from './types'

/**
 * [spec] The Last-Event-ID header carries the id "encoded as UTF-8". Fetch headers are ByteStrings, so each UTF-8
 * byte travels as one Latin-1 code unit (ASCII ids pass through untouched).
 */
export function toHeaderValue(id: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(id)) return id
  let out = ''
  for (const byte of new TextEncoder().encode(id)) out += String.fromCharCode(byte)
  return out
}

/** The URL for an attempt: the id is set (not appended) so a redirect's final URL never accumulates copies. */
export function urlWithLastEventId(url: string, id: string, transport: LastEventIdTransport, param: string): string {
  if (id === '' || transport === 'header') return url
  const withId = new URL(url)
  withId.searchParams.set(param, id)
  return withId.href
}

/**
 * A redirect's final URL without the id parameter an attempt added to it (in `'query'` or `'both'` mode), so that
 * the next attempt sends the id it has then, or none after the server reset it.
 */
export function withoutLastEventId(url: string, transport: LastEventIdTransport, param: string): string {
  const without = new URL(url)
  // Only when present: deleting re-serializes the whole query.
  if (transport === 'header' || !without.searchParams.has(param)) return url
  without.searchParams.delete(param)
  return without.href
}

/** Reads and writes the persisted id. Storage that throws (quota, privacy modes) degrades to memory only, silently. */
export interface IdStore {
  load(): string | undefined
  save(id: string): void
}

export function createIdStore(persist: {key: string; storage: StorageLike}): IdStore {
  const {key, storage} = persist
  return {
    load() {
      try {
        return storage.getItem(key) ?? undefined
      } catch {
        return undefined
      }
    },
    save(id) {
      try {
        if (id === '') storage.removeItem(key)
        else storage.setItem(key, id)
      } catch {
        // Persistence is best effort; the in-memory id stays authoritative.
      }
    },
  }
}
