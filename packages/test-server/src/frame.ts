/**
 * The text/event-stream wire format, written once per event: a broadcast hands the same Buffer to every client.
 */

/** The fields of one event frame. */
export interface FrameFields {
  id?: string
  event?: string
  data: string
  retry?: number
}

// [spec] "Lines must be separated by either a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character pair, a
// single U+000A LINE FEED (LF) character, or a single U+000D CARRIAGE RETURN (CR) character."
const LINE_BREAK = /\r\n|\r|\n/

/** Serialises one event. Each line of `data` becomes its own `data:` line, so line breaks survive the round trip. */
export function eventFrame({id, event, data, retry}: FrameFields): Buffer {
  let text = ''
  if (id !== undefined) text += `id: ${id}\n`
  if (event !== undefined) text += `event: ${event}\n`
  if (retry !== undefined) text += `retry: ${retry}\n`
  // [spec] One space after the colon is removed by the parser, so a value starting with a space keeps it.
  for (const line of data.split(LINE_BREAK)) text += `data: ${line}\n`
  // [spec] A blank line dispatches the event.
  return Buffer.from(`${text}\n`)
}

/** A comment: every line starts with a colon and the client ignores it (the idle watchdog still sees the bytes). */
export function commentFrame(text: string): Buffer {
  return Buffer.from(
    `${text
      .split(LINE_BREAK)
      .map((line) => `: ${line}\n`)
      .join('')}\n`,
  )
}

/** [spec] A `retry:` field alone: sets the client's reconnection time, dispatches nothing. */
export function retryFrame(ms: number): Buffer {
  return Buffer.from(`retry: ${ms}\n\n`)
}

/**
 * [ext] The cursor of a request without a Last-Event-ID: an `id:` field alone. [spec] It dispatches nothing (no data)
 * but sets the client's last event ID, so that its next request resumes from here although no event reached it yet.
 * (Chromium's native EventSource ignores an id without data; spec-following clients, Holdfast's among them, take it.)
 */
export function cursorFrame(lastSeq: number): Buffer {
  return Buffer.from(`id: ${lastSeq}\n\n`)
}

/**
 * [ext] The `replay-gap` event: no id (the client keeps its last id); data says what could not be resumed from
 * `lastEventId`, and the oldest id the log still holds.
 */
export function gapFrame(
  lastEventId: string,
  {oldestId, result = 'too-old'}: {oldestId: string | undefined; result?: 'too-old' | 'unknown-id'},
): Buffer {
  const data = JSON.stringify({lastEventId, oldestId: oldestId ?? null, reason: result})
  return eventFrame({event: 'replay-gap', data})
}

/** The heartbeat, shared by every connection. */
export const HEARTBEAT = commentFrame('heartbeat')

/** `payload` as one HTTP/1.1 chunk (RFC 9112 §7.1): size in hex, CRLF, the bytes, CRLF. */
export function httpChunk(payload: Buffer): Buffer {
  const size = `${payload.length.toString(16)}\r\n`
  const chunk = Buffer.allocUnsafe(size.length + payload.length + 2)
  chunk.write(size, 0, 'latin1')
  payload.copy(chunk, size.length)
  chunk.write('\r\n', size.length + payload.length, 'latin1')
  return chunk
}

/** The heartbeat as an HTTP chunk, framed once. */
export const HEARTBEAT_CHUNK = httpChunk(HEARTBEAT)
