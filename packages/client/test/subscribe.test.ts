import {describe, expect, it, vi} from 'vitest'
import type {StreamMessage} from '../src/index'
import {events} from '../src/iterate'
import {captureUncaughtExceptions, flush, mockStream, openSource, until, useMockServer} from './harness'

useMockServer()

describe('[ext] subscribe: plain callbacks, no DOM events', () => {
  it('delivers every type by default, as plain messages, and builds no DOM event', async () => {
    const stream = mockStream()
    const source = openSource()
    const got: StreamMessage[] = []
    source.subscribe((message) => got.push(message))
    const dispatch = vi.spyOn(source, 'dispatchEvent')
    ;(await stream.open()).send('id: 1\ndata: a\n\nevent: price\ndata: 42\n\n')
    await until(() => got.length === 2, 'both messages')
    expect(got).toEqual([
      {type: 'message', data: 'a', lastEventId: '1', origin: 'http://sse.test'},
      {type: 'price', data: '42', lastEventId: '1', origin: 'http://sse.test'},
    ])
    expect(Object.getPrototypeOf(got[0])).toBe(Object.prototype)
    expect(dispatch.mock.calls.map(([event]) => event.type)).toEqual(['open'])
  })

  it('filters by type, and stops after unsubscribing; DOM listeners still get their events', async () => {
    const stream = mockStream()
    const source = openSource()
    const prices: string[] = []
    const dom: string[] = []
    const unsubscribe = source.subscribe((message) => prices.push(message.data), {types: 'price'})
    source.onmessage = (event) => dom.push(event.data)
    const connection = await stream.open()
    connection.send('event: price\ndata: 1\n\ndata: m\n\nevent: other\ndata: x\n\n')
    await until(() => dom.length === 1, 'the message')
    expect(prices).toEqual(['1'])
    unsubscribe()
    connection.send('event: price\ndata: 2\n\ndata: n\n\n')
    await until(() => dom.length === 2, 'the next message')
    expect(prices).toEqual(['1'])
    expect(dom).toEqual(['m', 'n'])
  })

  it('close() inside a listener: no further messages, not even from the same chunk', async () => {
    const stream = mockStream()
    const source = openSource()
    const got: string[] = []
    source.subscribe(({data}) => {
      got.push(data)
      source.close()
    })
    ;(await stream.open()).send('data: 1\n\ndata: 2\n\n')
    await until(() => got.length === 1, 'the first message')
    await flush()
    expect(got).toEqual(['1'])
  })

  it('a listener unsubscribed during a dispatch is not called for it, as a removed event listener is not', async () => {
    const stream = mockStream()
    const source = openSource()
    const got: string[] = []
    const dom: string[] = []
    source.subscribe(() => {
      unsubscribe()
      iterator.return()
      source.removeEventListener('message', listener)
    })
    const unsubscribe = source.subscribe(({data}) => got.push(data))
    const iterator = events(source)
    const listener = (event: MessageEvent) => dom.push(event.data)
    source.addEventListener('message', listener)
    const seen: string[] = []
    source.subscribe(({data}) => seen.push(data))
    ;(await stream.open()).send('data: 1\n\n')
    await until(() => seen.length === 1, 'the message, for the subscriber left')
    expect([got, dom]).toEqual([[], []])
    expect(await iterator.next()).toEqual({done: true, value: undefined}) // ended before the message: nothing after
  })

  it('rejects a listener that is not a function, or types that are not strings, with invalid-option', async () => {
    const stream = mockStream()
    const source = openSource()
    const invalid = expect.objectContaining({name: 'HoldfastError', code: 'invalid-option'})
    expect(() => source.subscribe('render' as never)).toThrow(invalid)
    expect(() => source.subscribe(() => {}, {types: 5 as never})).toThrow(invalid)
    expect(() => source.subscribe(() => {}, {types: ['price', 7] as never})).toThrow(invalid)
    expect(() => events(source, {types: {} as never})).toThrow(invalid)
    // Nothing was half-registered: the stream and a good subscriber carry on.
    const got: string[] = []
    source.subscribe(({data}) => got.push(data), {types: ['message']})
    ;(await stream.open()).send('data: 1\n\n')
    await until(() => got.length === 1, 'the message')
    expect(got).toEqual(['1'])
  })

  describe('a listener that throws', () => {
    const reported = captureUncaughtExceptions()

    it('is reported and stops neither other listeners nor the stream', async () => {
      const stream = mockStream()
      const source = openSource()
      const got: string[] = []
      source.subscribe(() => {
        throw new Error('subscriber bug')
      })
      source.subscribe(({data}) => got.push(data))
      const connection = await stream.open()
      connection.send('data: 1\n\n')
      connection.send('data: 2\n\n')
      await until(() => got.length === 2 && reported.length === 2, 'both messages, both reports')
      expect(reported).toEqual([
        expect.objectContaining({message: 'subscriber bug'}),
        expect.objectContaining({message: 'subscriber bug'}),
      ])
      expect(source.readyState).toBe(source.OPEN)
    })
  })
})
