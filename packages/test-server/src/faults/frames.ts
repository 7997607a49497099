import type {MalformedFault, MalformedVariant} from '../types.js'

/**
 * The bytes of the malformed frames. Each tests one rule of the WHATWG parser; a spec-exact client survives all of
 * them and dispatches exactly what is noted.
 */
const malformed: Record<MalformedVariant, Buffer> = {
  // [spec] A line without a colon is a field name with an empty value; an unknown field is ignored. Includes
  // invalid UTF-8, a NUL and a DEL. Dispatches nothing.
  garbage: Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), Buffer.from(' %$#@! garbage frame \x7f\n\n')]),
  // [spec] The stream is decoded as UTF-8 with replacement: dispatches a message whose data holds U+FFFD.
  'invalid-utf8': Buffer.concat([Buffer.from('data: caf'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('\n\n')]),
  // [spec] Unknown field names are ignored. Dispatches nothing.
  'unknown-field': Buffer.from('foo: bar\nbaz\n\n'),
  // [spec] A `retry` value that is not all ASCII digits is ignored. Dispatches nothing.
  'bad-retry': Buffer.from('retry: soon\n\n'),
  // [spec] An `id` containing NUL is ignored: dispatches a message `nul-id` without changing the last event id.
  'nul-id': Buffer.from('id: 1\u00002\ndata: nul-id\n\n'),
  // [spec] A data line never followed by a blank line: its text is prepended to the next event's data.
  unterminated: Buffer.from('data: unterminated\n'),
}

/** The frame a malformed fault writes. */
export function malformedFrame(fault: MalformedFault): Buffer {
  return fault.frame !== undefined ? Buffer.from(fault.frame) : malformed[fault.variant ?? 'garbage']
}

/** One `oversized` event without an id, whose data is `size` bytes of `x`. */
export function oversizedFrame(size: number): Buffer {
  const head = 'event: oversized\ndata: '
  const frame = Buffer.alloc(head.length + size + 2, 'x')
  frame.write(head, 0, 'latin1')
  frame.write('\n\n', head.length + size, 'latin1')
  return frame
}
