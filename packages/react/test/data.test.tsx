import {act, renderHook} from '@testing-library/react'
import {describe, expect, it, vi} from 'vitest'
import {useEventSource, type ParsedMessage} from '../src/index'
import {FakeSource} from './fake-source'

const create = FakeSource.create

interface Price {
  symbol: string
  price: number
}

describe('data', () => {
  it('is the latest message of its types, typed by parse, with the raw message beside it', () => {
    const {result} = renderHook(() =>
      useEventSource('/prices', {create, types: ['price'], parse: (text) => JSON.parse(text) as Price}),
    )
    const [source] = FakeSource.made
    act(() => {
      source!.emit('{"symbol":"AAPL","price":1}', {type: 'price', id: '1'})
      source!.emit('not for this component', {id: '2'})
    })
    const data: Price | undefined = result.current.data
    expect(data).toEqual({symbol: 'AAPL', price: 1})
    expect(result.current.message).toEqual({
      type: 'price',
      data: '{"symbol":"AAPL","price":1}',
      lastEventId: '1',
      origin: 'http://test',
    })
    expect(result.current.lastEventId).toBe('1')
  })

  it('keeps the data and reports parseError when parse throws, until a message parses again', () => {
    const {result} = renderHook(() => useEventSource('/prices', {create, parse: (text) => JSON.parse(text) as number}))
    const [source] = FakeSource.made
    act(() => source!.emit('1'))
    act(() => source!.emit('{oops'))
    expect(result.current.data).toBe(1)
    expect(result.current.parseError).toBeInstanceOf(SyntaxError)
    act(() => source!.emit('2'))
    expect(result.current).toMatchObject({data: 2, parseError: undefined})
  })

  it('folds every message into the reducer, even a burst React renders once', () => {
    let renders = 0
    const {result} = renderHook(() => {
      renders++
      return useEventSource('/log', {
        create,
        types: ['line', 'message'],
        reducer: (lines: string[], message: ParsedMessage<string>) => [...lines, `${message.type}:${message.data}`],
        initial: [] as string[],
      })
    })
    const before = renders
    act(() => {
      for (const n of [1, 2, 3]) FakeSource.made[0]!.emit(String(n), {type: 'line'})
      FakeSource.made[0]!.emit('4')
    })
    const lines: string[] = result.current.data
    expect(lines).toEqual(['line:1', 'line:2', 'line:3', 'message:4'])
    expect(renders - before).toBe(1)
  })

  it('calls the latest onMessage, never one from an earlier render', () => {
    const calls: string[] = []
    const {rerender} = renderHook(
      ({tag}) => useEventSource('/feed', {create, onMessage: (m) => calls.push(`${tag}${m.data}`)}),
      {
        initialProps: {tag: 'a'},
      },
    )
    act(() => FakeSource.made[0]!.emit('1'))
    rerender({tag: 'b'})
    act(() => FakeSource.made[0]!.emit('2'))
    expect(calls).toEqual(['a1', 'b2'])
  })

  it('reports a throwing reducer like a throwing listener, and goes on with the next message', () => {
    const reportError = vi.fn()
    vi.stubGlobal('reportError', reportError)
    const {result} = renderHook(() =>
      useEventSource('/feed', {
        create,
        reducer: (count: number, message) => {
          if (message.data === 'bad') throw new Error('reducer bug')
          return count + 1
        },
        initial: 0,
      }),
    )
    act(() => {
      FakeSource.made[0]!.emit('ok')
      FakeSource.made[0]!.emit('bad')
      FakeSource.made[0]!.emit('ok')
    })
    expect(result.current.data).toBe(2)
    expect(reportError).toHaveBeenCalledWith(new Error('reducer bug'))
    vi.unstubAllGlobals()
  })

  it('starts a component that joins a running stream from its latest message; a reducer from initial', () => {
    renderHook(() => useEventSource('/feed', {create}))
    act(() => FakeSource.made[0]!.emit('current', {id: '9'}))
    const late = renderHook(() => useEventSource('/feed', {create}))
    const reduced = renderHook(() => useEventSource('/feed', {create, reducer: (n: number) => n + 1, initial: 0}))
    expect(late.result.current).toMatchObject({data: 'current', lastEventId: '9'})
    expect(reduced.result.current.data).toBe(0)
    expect(FakeSource.made).toHaveLength(1)
  })
})
