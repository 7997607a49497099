import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {deliver, useMockServer} from './harness'

useMockServer()

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values)

describe('[spec] parsing an event stream', () => {
  it.each([
    ['LF', 'data: a\n\ndata: b\n\n'],
    ['CR', 'data: a\r\rdata: b\r\r'],
    ['CRLF', 'data: a\r\n\r\ndata: b\r\n\r\n'],
    ['mixed', 'data: a\r\n\ndata: b\r\r\n'],
  ])('splits lines on %s', async (_name, text) => {
    expect((await deliver([text])).map((e) => e.data)).toEqual(['a', 'b'])
  })

  it('treats a CRLF split across chunks as one line ending', async () => {
    const events = await deliver(['data: a\r', '\ndata: b\r', '\n\r', '\n'])
    expect(events.map((e) => e.data)).toEqual(['a\nb'])
  })

  it('strips one leading BOM, and only one', async () => {
    expect((await deliver(['\uFEFFdata: first\n\n'])).map((e) => e.data)).toEqual(['first'])
    // A second BOM makes the field name "\uFEFFdata", an unknown field: nothing is dispatched.
    expect(await deliver(['\uFEFF\uFEFFdata: x\n\n'])).toEqual([])
    // The BOM may arrive split across chunks as raw bytes.
    expect((await deliver([bytes(0xef), bytes(0xbb, 0xbf), 'data: y\n\n'])).map((e) => e.data)).toEqual(['y'])
  })

  it('strips exactly one space after the colon', async () => {
    const events = await deliver(['data:none\n\ndata: one\n\ndata:  two\n\n'])
    expect(events.map((e) => e.data)).toEqual(['none', 'one', ' two'])
  })

  it('joins multi-line data with LF and keeps empty lines of data', async () => {
    const events = await deliver(['data: a\ndata\ndata: c\n\n'])
    expect(events.map((e) => e.data)).toEqual(['a\n\nc'])
  })

  it('resets the event type after each event; an empty type means message', async () => {
    const events = await deliver(['event: update\ndata: 1\n\ndata: 2\n\nevent:\ndata: 3\n\n'], ['update'])
    expect(events.map((e) => `${e.type}:${e.data}`)).toEqual(['update:1', 'message:2', 'message:3'])
  })

  it('does not dispatch a block without data, and ignores comments and unknown fields', async () => {
    const events = await deliver([': comment\n\nevent: x\n\nfoo: bar\ndata: kept\n\n'])
    expect(events.map((e) => e.data)).toEqual(['kept'])
  })

  it('keeps the last event id until the server changes it; an empty id resets it', async () => {
    const events = await deliver(['id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\n'])
    expect(events.map((e) => e.lastEventId)).toEqual(['1', '1', ''])
  })

  it('updates the last event id from a block that has no data', async () => {
    const events = await deliver(['id: 7\n\ndata: after\n\n'])
    expect(events).toEqual([{type: 'message', data: 'after', lastEventId: '7'}])
  })

  it('ignores an id that contains U+0000', async () => {
    const events = await deliver(['id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\n'])
    expect(events.map((e) => e.lastEventId)).toEqual(['1', '1'])
  })

  it('decodes UTF-8 split across chunks, and invalid bytes as U+FFFD', async () => {
    const euro = new TextEncoder().encode('data: €😀\n\n')
    const split = [euro.slice(0, 7), euro.slice(7, 9), euro.slice(9, 12), euro.slice(12)]
    expect((await deliver(split)).map((e) => e.data)).toEqual(['€😀'])
    const invalid = [new TextEncoder().encode('data: a'), bytes(0xff, 0xc3), new TextEncoder().encode('b\n\n')]
    expect((await deliver(invalid)).map((e) => e.data)).toEqual(['a\uFFFD\uFFFDb'])
  })

  it('drops an event cut off by the end of the body', async () => {
    const events = await deliver(['data: complete\n\ndata: cut off\n'])
    expect(events.map((e) => e.data)).toEqual(['complete'])
  })

  it('delivers the same events however the bytes are chunked', async () => {
    const text = '\uFEFFretry: 10\r\n: hi\nid: 1\nevent: a\ndata: x\r\n\r\ndata: é€😀\ndata\n\nid\rdata: last\r\r'
    const whole = new TextEncoder().encode(text)
    const expected = await deliver([whole], ['a'])
    expect(expected.map((e) => e.data)).toEqual(['x', 'é€😀\n', 'last'])
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({min: 1, max: whole.length - 1}), {maxLength: 12}), async (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), whole.length]
        const chunks = points.slice(1).map((end, i) => whole.slice(points[i], end))
        expect(await deliver(chunks, ['a'])).toEqual(expected)
      }),
      {numRuns: 150},
    )
  })
})
