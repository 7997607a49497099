import type {LastEventIdTransport, StorageLike} from './types'

/**
 * [spec] The Last-Event-ID header carries the id "encoded as UTF-8". Fetch headers are ByteStrings, so each UTF-8
 * byte travels as one Latin-1 code unit (an ASCII id's characters are its bytes).
 */
export function toHeaderValue(id: string): string {
  let out = ''
  for (const byte of new TextEncoder().encode(id)) out += String.fromCharCode(byte)
  return out
}

/**
 * [ext] WebKitGTK and WPE (libsoup) encode a header value's code units as UTF-8 once more, so no header value can
 * carry a non-ASCII id's bytes there (and one above U+00FF throws). Their user agent is the only sign of it.
 */
const reencodesHeaders = (): boolean => /Linux.*AppleWebKit(?!.*Chrom)/.test(globalThis.navigator?.userAgent as string)

/**
 * [ext] Where this attempt's id goes: as chosen, except that a non-ASCII id (one whose header value differs from it)
 * goes in the query parameter alone where headers are re-encoded. ASCII ids and other engines are unaffected.
 */
export const lastEventIdIn = (id: string, chosen: LastEventIdTransport): LastEventIdTransport =>
  toHeaderValue(id) === id || !reencodesHeaders() ? chosen : 'query'

/**
 * The URL for an attempt: in `'query'` or `'both'` mode the parameter is set (not appended), so that a redirect's
 * final URL never accumulates copies, and removed when the id is empty, so that an id the server reset (or one a
 * redirect's final URL kept) is never sent again. The parameter is Holdfast's in those modes, and in every mode where
 * headers are re-encoded (a non-ASCII id went there: the next attempt, whose id may be ASCII, removes it).
 */
export function urlWithLastEventId(url: string, id: string, transport: LastEventIdTransport, param: string): string {
  const withId = new URL(url)
  const {searchParams} = withId
  const value = lastEventIdIn(id, transport) === 'header' ? '' : id
  // Deleting or setting re-serializes the whole query: only when something changes.
  if ((transport === 'header' && !reencodesHeaders()) || (!value && !searchParams.has(param))) return url
  if (value) searchParams.set(param, value)
  else searchParams.delete(param)
  return withId.href
}

/** Reads and writes the persisted id. Storage that throws (quota, privacy modes) degrades to memory only, silently. */
export interface IdStore {
  /** The id stored, or `null` (none) or `undefined` (the storage threw). */
  load(): string | null | undefined
  save(id: string): void
}

export function createIdStore(persist: {key: string; storage: StorageLike}): IdStore {
  const {key, storage} = persist
  return {
    load() {
      try {
        return storage.getItem(key)
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
