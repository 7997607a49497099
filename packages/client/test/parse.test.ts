import {describe, expect, it, vi} from 'vitest'
import {EventSource, HoldfastError, type MessageErrorEvent, type StreamMessage} from '../src/index'
import {events} from '../src/iterate'
import {json, parseWith} from '../src/parse'
import {mockStream, openSource, STREAM_URL, until, useMockServer} from './harness'

useMockServer()

interface Quote {
  symbol: string
  bid: number
}

describe('[ext] the parse option', () => {
  it('runs once per message, before every listener, subscriber and iterator, which all get what it made', async () => {
    const stream = mockStream()
    const parse = vi.fn((data: string) => JSON.parse(data) as unknown)
    const source = openSource({parse: parseWith(parse)})
    const seen: unknown[] = []
    source.addEventListener('price', (event) => seen.push(['listener', event.data]))
    source.subscribe((message) => seen.push(['subscriber', message.data]), {types: 'price'})
    const iterator = events(source, {types: 'price'})
    const next = iterator.next()
    ;(await stream.open()).send('event: price\nid: 1\ndata: {"symbol":"X","bid":2}\n\n')
    const quote = {symbol: 'X', bid: 2}
    expect((await next).value).toEqual({type: 'price', data: quote, lastEventId: '1', origin: 'http://sse.test'})
    expect(seen).toEqual([
      ['subscriber', quote],
      ['listener', quote],
    ])
    expect(parse).toHaveBeenCalledTimes(1)
    expect(parse).toHaveBeenCalledWith('{"symbol":"X","bid":2}', {
      type: 'price',
      data: '{"symbol":"X","bid":2}',
      lastEventId: '1',
      origin: 'http://sse.test',
    } satisfies StreamMessage)
    await iterator.return()
  })

  it('a parse that throws: `messageerror` with an invalid-data error instead of any delivery; the stream goes on', async () => {
    const stream = mockStream()
    const source = new EventSource<{price: Quote}>(STREAM_URL, {
      parse: parseWith((data) => {
        const quote = JSON.parse(data) as Quote
        if (typeof quote.bid !== 'number') throw new TypeError('bid is not a number')
        return quote
      }),
    })
    const delivered: unknown[] = []
    const failed: MessageErrorEvent[] = []
    source.addEventListener('price', (event) => delivered.push(event.data))
    source.subscribe((message) => delivered.push(message.data))
    source.addEventListener('messageerror', (event) => failed.push(event as MessageErrorEvent))
    const connection = await stream.open()
    connection.send('event: price\nid: 1\ndata: {"bid":"free"}\n\nevent: price\nid: 2\ndata: not json\n\n')
    connection.send('event: price\nid: 3\ndata: {"symbol":"X","bid":2}\n\n')
    await until(() => delivered.length === 2, 'the good message')
    expect(delivered).toEqual([
      {symbol: 'X', bid: 2},
      {symbol: 'X', bid: 2},
    ])
    expect(failed.map(({type, data, lastEventId}) => ({type, data, lastEventId}))).toEqual([
      {type: 'messageerror', data: '{"bid":"free"}', lastEventId: '1'},
      {type: 'messageerror', data: 'not json', lastEventId: '2'},
    ])
    const [first, second] = failed.map((event) => event.error)
    expect(HoldfastError.is(first) && first.code).toBe('invalid-data')
    expect(first!.message).toBe(`Could not parse a \`price\` event of ${STREAM_URL}`)
    expect(first!.url).toBe(STREAM_URL)
    expect(first!.cause).toEqual(new TypeError('bid is not a number'))
    expect(second!.cause).toBeInstanceOf(SyntaxError)
    expect([source.readyState, source.lastEventId, source.stats.messages]).toEqual([source.OPEN, '3', 3])
    source.close()
  })

  it('json: JSON for every message; a message that is not JSON fires messageerror', async () => {
    const stream = mockStream()
    const source = openSource({parse: json})
    const got: unknown[] = []
    source.addEventListener('message', (event) => got.push(event.data))
    source.addEventListener('messageerror', (event) => got.push((event as MessageErrorEvent).error.cause))
    ;(await stream.open()).send('data: {"a":[1,2]}\n\ndata: 3\n\ndata: {oops\n\n')
    await until(() => got.length === 3, 'three messages')
    expect(got.slice(0, 2)).toEqual([{a: [1, 2]}, 3])
    expect(got[2]).toBeInstanceOf(SyntaxError)
  })

  it('is validated: a function that is not a step (JSON.parse itself, say) is a typed error, before any request', () => {
    const fetch = vi.fn<typeof globalThis.fetch>()
    expect(() => new EventSource(STREAM_URL, {parse: JSON.parse as never, fetch})).toThrow(
      /^Invalid EventSource option: `parse` must be a parse step from @holdfast\/client\/parse, got function/,
    )
    expect(fetch).not.toHaveBeenCalled()
  })

  it('costs an app that parses nothing nothing: the main entry holds no parse step (see scripts/size.mjs)', async () => {
    // @ts-expect-error: a JavaScript module without declarations
    const {bundleEntry} = (await import('../../../scripts/size.mjs')) as {bundleEntry(name: string): Promise<string>}
    expect(await bundleEntry('index')).not.toContain('Could not parse')
    expect(await bundleEntry('parse')).toContain('Could not parse')
  })
})
