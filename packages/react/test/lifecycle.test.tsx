import {HoldfastError} from '@holdfast/client'
import {act, renderHook, waitFor} from '@testing-library/react'
import {describe, expect, it, vi} from 'vitest'
import {useEventSource} from '../src/index'
import {FakeSource} from './fake-source'

const create = FakeSource.create

describe('the connection as the hook reports it', () => {
  it('goes connecting → open → reconnecting (with when and why) → open, clearing the error', () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_000)
    const onReconnecting = vi.fn()
    const onError = vi.fn()
    const onOpen = vi.fn()
    const {result} = renderHook(() => useEventSource('/feed', {create, onReconnecting, onError, onOpen}))
    const [source] = FakeSource.made
    expect(result.current).toMatchObject({status: 'connecting', readyState: 0, error: undefined})
    act(() => source!.open())
    expect(result.current).toMatchObject({status: 'open', readyState: 1})
    const error = new HoldfastError('stream-ended', 'The stream ended', {url: '/feed'})
    act(() => {
      source!.fail(error)
      source!.reconnecting(2, 2500, error)
    })
    expect(result.current).toMatchObject({
      status: 'reconnecting',
      readyState: 0,
      error,
      reconnecting: {attempt: 2, delay: 2500, at: 3_500, error},
    })
    expect(onError).toHaveBeenCalledWith(error)
    expect(onReconnecting).toHaveBeenCalledWith({attempt: 2, delay: 2500, at: 3_500, error})
    act(() => source!.open())
    expect(result.current).toMatchObject({status: 'open', error: undefined, reconnecting: undefined})
    expect(onOpen).toHaveBeenCalledTimes(2)
  })

  it('reports a failure the source gives up on as closed, with its error', () => {
    const {result} = renderHook(() => useEventSource('/feed', {create}))
    const error = new HoldfastError('http-status', 'Failed to connect to /feed: server responded 401', {url: '/feed'})
    act(() => FakeSource.made[0]!.fail(error, {closed: true}))
    expect(result.current).toMatchObject({status: 'closed', readyState: 2, error})
  })

  it('close() closes the stream for every component; reconnect() opens a new one from the last id', () => {
    const a = renderHook(() => useEventSource('/feed', {create}))
    const b = renderHook(() => useEventSource('/feed', {create}))
    const [first] = FakeSource.made
    act(() => {
      first!.open()
      first!.emit('x', {id: '4'})
    })
    act(() => a.result.current.close())
    expect(first!.closed).toBe(true)
    expect(b.result.current).toMatchObject({status: 'closed', readyState: 2, data: 'x'})
    act(() => b.result.current.reconnect())
    expect(FakeSource.made).toHaveLength(2)
    expect(FakeSource.made[1]!.init.lastEventId).toBe('4')
    expect(a.result.current.status).toBe('connecting')
    act(() => FakeSource.made[1]!.emit('y', {id: '5'}))
    expect([a.result.current.data, b.result.current.data]).toEqual(['y', 'y'])
  })

  it('moves to a new URL: closes the old stream, starts the new one with fresh data', async () => {
    const {result, rerender} = renderHook(({url}) => useEventSource(url, {create}), {initialProps: {url: '/a'}})
    act(() => FakeSource.made[0]!.emit('from a', {id: '3'}))
    rerender({url: '/b'})
    expect(FakeSource.made.map((s) => s.url)).toEqual(['/a', '/b'])
    expect(FakeSource.made[1]!.init.lastEventId).toBeUndefined()
    expect(result.current).toMatchObject({data: undefined, status: 'connecting', lastEventId: ''})
    await waitFor(() => expect(FakeSource.made[0]!.closed).toBe(true))
    act(() => FakeSource.made[0]!.emit('late, from a closed source'))
    expect(result.current.data).toBeUndefined()
  })

  it('pauses with enabled: false and resumes from the last id it saw, keeping its data meanwhile', async () => {
    const {result, rerender} = renderHook(({enabled}) => useEventSource('/feed', {create, enabled}), {
      initialProps: {enabled: true},
    })
    act(() => FakeSource.made[0]!.emit('before the pause', {id: '7'}))
    rerender({enabled: false})
    await waitFor(() => expect(FakeSource.made[0]!.closed).toBe(true))
    expect(result.current).toMatchObject({status: 'idle', readyState: 2, lastEventId: '7'})
    rerender({enabled: true})
    expect(FakeSource.made).toHaveLength(2)
    expect(FakeSource.made[1]!.init.lastEventId).toBe('7')
  })

  it('keeps its data while paused and goes on from it: the latest message, or the reducer state', async () => {
    const {result, rerender} = renderHook(
      ({enabled}) => [
        useEventSource('/feed', {create, enabled}),
        useEventSource('/feed', {create, enabled, reducer: (seen: string[], m) => [...seen, m.data], initial: []}),
      ],
      {initialProps: {enabled: true}},
    )
    act(() => FakeSource.made[0]!.emit('1', {id: '1'}))
    rerender({enabled: false})
    await waitFor(() => expect(FakeSource.made[0]!.closed).toBe(true))
    expect(result.current.map((r) => [r.status, r.data, r.message?.data, r.lastEventId])).toEqual([
      ['idle', '1', '1', '1'],
      ['idle', ['1'], '1', '1'],
    ])
    rerender({enabled: true})
    act(() => FakeSource.made[1]!.emit('2', {id: '2'}))
    expect(result.current.map((r) => r.data)).toEqual(['2', ['1', '2']])
  })

  it('paused while other components keep the stream open, joins it as it is when enabled again', () => {
    const other = renderHook(() => useEventSource('/feed', {create}))
    const {result, rerender} = renderHook(({enabled}) => useEventSource('/feed', {create, enabled}), {
      initialProps: {enabled: true},
    })
    act(() => FakeSource.made[0]!.emit('1', {id: '1'}))
    rerender({enabled: false})
    act(() => FakeSource.made[0]!.emit('2', {id: '2'}))
    expect(result.current).toMatchObject({status: 'idle', data: '1'})
    rerender({enabled: true})
    expect(FakeSource.made).toHaveLength(1)
    expect([result.current.data, other.result.current.data]).toEqual(['2', '2'])
  })

  it('reconnect() and enabled: false → true resume from the last id seen, not from the lastEventId option', async () => {
    const {result, rerender} = renderHook(
      ({enabled}) => useEventSource('/feed', {create, lastEventId: '2', types: ['price'], enabled}),
      {initialProps: {enabled: true}},
    )
    expect(FakeSource.made[0]!.init.lastEventId).toBe('2')
    act(() => FakeSource.made[0]!.emit('3', {type: 'price', id: '3'}))
    act(() => result.current.reconnect())
    expect(FakeSource.made[1]!.init.lastEventId).toBe('3')
    // The last id the stream saw, even on an event of a type this component does not take.
    act(() => FakeSource.made[1]!.emit('4', {type: 'trade', id: '4'}))
    rerender({enabled: false})
    await waitFor(() => expect(FakeSource.made[1]!.closed).toBe(true))
    rerender({enabled: true})
    expect(FakeSource.made[2]!.init.lastEventId).toBe('4')
    // The server reset the id: the next connection sends none, rather than the option's.
    act(() => FakeSource.made[2]!.emit('5', {type: 'price', id: ''}))
    act(() => result.current.close())
    act(() => result.current.reconnect())
    expect(FakeSource.made[3]!.init.lastEventId).toBe('')
  })

  it("takes a server's own `event: error`, `open` or `reconnecting` for a message, not the connection's", () => {
    const onError = vi.fn()
    const onReconnecting = vi.fn()
    const onOpen = vi.fn()
    const {result} = renderHook(() =>
      useEventSource('/feed', {create, types: ['error', 'open', 'reconnecting'], onError, onOpen, onReconnecting}),
    )
    const [source] = FakeSource.made
    act(() => source!.emit('hello', {type: 'open'}))
    expect(result.current).toMatchObject({status: 'connecting', message: {type: 'open', data: 'hello'}})
    expect(onOpen).not.toHaveBeenCalled()
    act(() => {
      source!.open()
      source!.emit('{"reason":"quota"}', {type: 'error'})
      source!.emit('in a minute', {type: 'reconnecting'})
    })
    expect(result.current).toMatchObject({status: 'open', readyState: 1, error: undefined, reconnecting: undefined})
    expect(result.current.message).toMatchObject({type: 'reconnecting', data: 'in a minute'})
    expect([onError, onReconnecting].map((f) => f.mock.calls.length)).toEqual([0, 0])
    // And the other way round: a connection failure is no message for a component that takes `error` events.
    const error = new HoldfastError('stream-ended', 'The stream ended', {url: '/feed'})
    act(() => source!.fail(error))
    expect(result.current).toMatchObject({status: 'reconnecting', error, message: {data: 'in a minute'}})
    expect(onError).toHaveBeenCalledWith(error)
  })

  it("one component's throwing callback is reported and does not stop the other components'", () => {
    const reportError = vi.fn()
    vi.stubGlobal('reportError', reportError)
    const fail = (what: string) => () => {
      throw new Error(`${what} bug`)
    }
    const calls: string[] = []
    const record = (what: string) => () => void calls.push(what)
    const both = renderHook(() => [
      useEventSource('/feed', {
        create,
        onOpen: fail('open'),
        onMessage: fail('message'),
        onError: fail('error'),
        onReconnecting: fail('reconnecting'),
      }),
      useEventSource('/feed', {
        create,
        onOpen: record('open'),
        onMessage: record('message'),
        onError: record('error'),
        onReconnecting: record('reconnecting'),
      }),
    ])
    const [source] = FakeSource.made
    const error = new HoldfastError('stream-ended', 'The stream ended', {url: '/feed'})
    act(() => source!.open())
    act(() => source!.emit('1'))
    act(() => source!.fail(error))
    act(() => source!.reconnecting(1, 10, error))
    expect(calls).toEqual(['open', 'message', 'error', 'reconnecting'])
    expect(reportError.mock.calls.map(([reported]) => (reported as Error).message)).toEqual([
      'open bug',
      'message bug',
      'error bug',
      'reconnecting bug',
    ])
    expect(both.result.current.map((r) => [r.status, r.data])).toEqual([
      ['reconnecting', '1'],
      ['reconnecting', '1'],
    ])
    vi.unstubAllGlobals()
  })
})
