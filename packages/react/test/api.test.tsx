// The hook's signal, its onOpen event, misspelt option names, and typed streams at run time.
import {OpenEvent, type HoldfastEventSourceInit} from '@holdfast/client'
import type {SharedEventSourceInit} from '@holdfast/client/shared'
import {act, renderHook, waitFor} from '@testing-library/react'
import {afterEach, beforeEach, describe, expect, it, vi, type MockInstance} from 'vitest'
import {closest} from '../src/closest'
import {useEventSource} from '../src/index'
import {FakeSource} from './fake-source'

const create = FakeSource.create

describe('[ext] signal', () => {
  it('aborting closes this component only: the stream goes on for the others, and closes with the last', () => {
    const controller = new AbortController()
    const tied = renderHook(() => useEventSource('/feed', {create, signal: controller.signal}))
    const other = renderHook(() => useEventSource('/feed', {create}))
    const [source] = FakeSource.made
    act(() => {
      source!.open()
      source!.emit('a', {id: '1'})
    })
    expect(tied.result.current).toMatchObject({status: 'open', data: 'a'})
    act(() => controller.abort())
    expect(tied.result.current).toMatchObject({status: 'closed', readyState: 2})
    act(() => tied.result.current.reconnect()) // closed by its signal: stays closed
    act(() => tied.result.current.open()) // and open() does not open it either
    act(() => source!.emit('b', {id: '2'}))
    expect(tied.result.current.status).toBe('closed')
    expect(other.result.current).toMatchObject({status: 'open', data: 'b'})
    expect([FakeSource.made.length, source!.closed]).toEqual([1, false])
    other.unmount()
  })

  it("the only component's signal closes the connection; a new signal opens it again from the last id", async () => {
    const first = new AbortController()
    const {result, rerender} = renderHook(({signal}) => useEventSource('/feed', {create, signal}), {
      initialProps: {signal: first.signal},
    })
    const [source] = FakeSource.made
    act(() => {
      source!.open()
      source!.emit('a', {id: '7'})
    })
    act(() => first.abort())
    await waitFor(() => expect(source!.closed).toBe(true))
    expect(result.current.status).toBe('closed')
    rerender({signal: new AbortController().signal})
    expect(FakeSource.made).toHaveLength(2)
    expect(FakeSource.made[1]!.init.lastEventId).toBe('7')
    expect(result.current.status).toBe('connecting')
  })

  it('an aborted signal at mount: no source at all, status closed; the signal never reaches the source', () => {
    const {result} = renderHook(() => useEventSource('/feed', {create, signal: AbortSignal.abort()}))
    expect(FakeSource.made).toHaveLength(0)
    expect(result.current).toMatchObject({status: 'closed', readyState: 2})
    renderHook(() => useEventSource('/other', {create, signal: new AbortController().signal}))
    expect(FakeSource.made[0]!.init).not.toHaveProperty('signal')
  })
})

describe('[ext] onOpen', () => {
  it("gets the source's open event: Holdfast's OpenEvent, with what the response said", async () => {
    const onOpen = vi.fn()
    const fetch = async () =>
      new Response(new ReadableStream(), {headers: {'content-type': 'text/event-stream', 'x-request-id': 'r-1'}})
    const {result} = renderHook(() => useEventSource('http://test/feed', {fetch, onOpen}))
    await waitFor(() => expect(result.current.status).toBe('open'))
    const [event] = onOpen.mock.lastCall as [OpenEvent]
    expect(event).toBeInstanceOf(OpenEvent)
    expect([event.status, event.headers.get('x-request-id')]).toEqual([200, 'r-1'])
  })
})

describe('[ext] misspelt option names', () => {
  let warn: MockInstance<typeof console.warn>
  beforeEach(() => {
    warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  })
  afterEach(() => warn.mockRestore())

  it("one of the hook's own: one warning naming it, and the name is not passed to the source", () => {
    const options = {create, enabeld: false, onMesage: () => {}, idleTimeout: 1000}
    renderHook(() => useEventSource('/feed', options as never))
    renderHook(() => useEventSource('/feed', options as never))
    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      'Holdfast: unknown useEventSource option `enabeld` ignored; did you mean `enabled`?',
      'Holdfast: unknown useEventSource option `onMesage` ignored; did you mean `onMessage`?',
    ])
    expect(FakeSource.made).toHaveLength(1) // `enabeld: false` disabled nothing: it is not an option
    expect(FakeSource.made[0]!.init).toEqual({idleTimeout: 1000})
  })

  it("any other name goes to the source, whose warning names the source's option", async () => {
    const fetch = vi.fn(() => new Promise<Response>(() => {}))
    renderHook(() => useEventSource('http://test/feed', {fetch, idleTimout: 1000} as never))
    await waitFor(() => expect(warn).toHaveBeenCalled())
    expect(warn.mock.calls).toEqual([
      ['Holdfast: unknown EventSource option `idleTimout` ignored; did you mean `idleTimeout`?'],
    ])
  })

  it("no option of the source (nor of sharing) is near a name of the hook's: none is ever taken for a misspelling", () => {
    const sourceOptions: Record<keyof HoldfastEventSourceInit | keyof SharedEventSourceInit, true> = {
      withCredentials: true,
      headers: true,
      method: true,
      body: true,
      fetch: true,
      lastEventId: true,
      lastEventIdIn: true,
      lastEventIdParam: true,
      persistLastEventId: true,
      idleTimeout: true,
      retryDelay: true,
      backoffFactor: true,
      maxRetryDelay: true,
      jitter: true,
      maxAttempts: true,
      stableAfter: true,
      retryStatuses: true,
      maxRetryAfter: true,
      shouldRetry: true,
      retryNonGet: true,
      dedupe: true,
      maxEventSize: true,
      networkAware: true,
      pauseWhenHidden: true,
      environment: true,
      random: true,
      transport: true,
      signal: true,
      parse: true,
      shareKey: true,
      sharing: true,
    }
    const hook = ['enabled', 'types', 'parse', 'key', 'create', 'onMessage', 'onOpen', 'onError', 'onReconnecting']
    const taken = Object.keys(sourceOptions).filter((name) => !hook.includes(name) && name !== 'signal')
    expect(taken.filter((name) => closest(name, [...hook, 'reducer', 'initial', 'signal']))).toEqual([])
  })
})

describe('[ext] withTypes', () => {
  it('is the hook itself: types cost nothing at run time', () => {
    expect(useEventSource.withTypes<{price: string}>()).toBe(useEventSource)
  })
})
