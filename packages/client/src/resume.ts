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

/**
 * The URL for an attempt in `'query'` or `'both'` mode: the parameter is set (not appended), so that a redirect's
 * final URL never accumulates copies, and removed when the id is empty, so that an id the server reset (or one a
 * redirect's final URL kept) is never sent again. The parameter is Holdfast's in those modes.
 */
export function urlWithLastEventId(url: string, id: string, transport: LastEventIdTransport, param: string): string {
  const withId = new URL(url)
  const {searchParams} = withId
  // Deleting or setting re-serializes the whole query: only when something changes.
  if (transport === 'header' || (!id && !searchParams.has(param))) return url
  if (id) searchParams.set(param, id)
  else searchParams.delete(param)
  return withId.href
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
