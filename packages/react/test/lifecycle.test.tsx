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
})
