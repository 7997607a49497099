// Streams built once, before any page loads, so that the server only copies bytes while a client is measured.

/** `id: 17\ndata: {"id":17,"type":"tick","price":100.17,"ok":true}\n\n`: a ~50-byte JSON event with an id. */
export function smallEvent(i) {
  return `id: ${i}\ndata: {"id":${i},"type":"tick","price":${(100 + (i % 997) / 100).toFixed(2)},"ok":true}\n\n`
}

export const LARGE_EVENT_BYTES = 64 * 1024

/**
 * A stream of `count` events as one buffer, with the byte offset where each prefix of n events ends and the total
 * data length of each prefix (what a client must receive: the check that it parsed the stream right).
 */
function build(count, eventAt, dataLength) {
  const parts = []
  const ends = new Array(count + 1)
  const dataChars = new Array(count + 1)
  ends[0] = 0
  dataChars[0] = 0
  for (let i = 0; i < count; i++) {
    const part = Buffer.from(eventAt(i), 'utf8')
    parts.push(part)
    ends[i + 1] = ends[i] + part.length
    dataChars[i + 1] = dataChars[i] + dataLength(i)
  }
  const buffer = Buffer.concat(parts)
  return {
    count,
    /** The first `n` events. */
    prefix: (n) => ({bytes: buffer.subarray(0, ends[n]), dataChars: dataChars[n]}),
  }
}

export function buildPayloads({small, large}) {
  const filler = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/'.repeat(LARGE_EVENT_BYTES / 64)
  return {
    small: build(small, smallEvent, (i) => smallEvent(i).length - `id: ${i}\ndata: \n\n`.length),
    large: build(
      large,
      (i) => `id: ${i}\ndata: ${String(i).padStart(8, '0')}${filler.slice(8)}\n\n`,
      () => LARGE_EVENT_BYTES,
    ),
  }
}
