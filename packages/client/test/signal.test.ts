import {describe, expect, it, vi} from 'vitest'
import {EventSource, HoldfastError} from '../src/index'
import {events} from '../src/iterate'
import {flush, mockStream, openSource, record, STREAM_URL, until, useFakeClock, useMockServer} from './harness'

useMockServer()

/** The `abort` listeners registered on `signal` right now (a signal holds on to each until it aborts). */
function abortListeners(signal: AbortSignal): Set<unknown> {
  const listeners = new Set<unknown>()
  const add = signal.addEventListener.bind(signal)
  const remove = signal.removeEventListener.bind(signal)
  vi.spyOn(signal, 'addEventListener').mockImplementation((type, listener, options) => {
    if (type === 'abort') listeners.add(listener)
    add(type, listener, options)
  })
  vi.spyOn(signal, 'removeEventListener').mockImplementation((type, listener, options) => {
    if (type === 'abort') listeners.delete(listener)
    remove(type, listener, options)
  })
  return listeners
}

describe('[ext] the signal option', () => {
  it('aborting closes the source for good, as close() does: CLOSED, the request aborted, no event, no timer', async () => {
    useFakeClock()
    const stream = mockStream()
    const controller = new AbortController()
    const listeners = abortListeners(controller.signal)
    const source = openSource({signal: controller.signal})
    const log = record(source)
    const connection = await stream.open()
    connection.send('data: 1\n\n')
    await until(() => log.length === 2, 'open and the message')
    expect(listeners.size).toBe(1)
    controller.abort()
    expect(source.readyState).toBe(EventSource.CLOSED)
    expect(connection.aborted).toBe(true)
    await flush()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(log).toEqual(['open:1', 'message:1'])
    expect(stream.connections).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
    expect(listeners.size).toBe(0)
  })

  it('aborting while a reconnect waits cancels it', async () => {
    useFakeClock()
    const stream = mockStream()
    const controller = new AbortController()
    const source = openSource({signal: controller.signal, retryDelay: 1000})
    const log = record(source)
    ;(await stream.open()).end()
    await until(() => log.includes('reconnecting:1:1000'), 'the reconnect scheduled')
    controller.abort()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(stream.connections).toHaveLength(1)
    expect(source.readyState).toBe(EventSource.CLOSED)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('an already aborted signal: no request at all (no fetch, no headers function), CLOSED, no event', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>()
    const headers = vi.fn(() => ({authorization: 'Bearer x'}))
    const signal = AbortSignal.abort()
    const listeners = abortListeners(signal)
    const source = new EventSource(STREAM_URL, {signal, fetch, headers})
    const log = record(source)
    expect(source.readyState).toBe(EventSource.CLOSED)
    await flush()
    expect(fetch).not.toHaveBeenCalled()
    expect(headers).not.toHaveBeenCalled()
    expect(log).toEqual([])
    expect(listeners.size).toBe(0) // nothing left on the signal either
    source.reconnect() // a source closed by its signal stays closed
    await flush()
    expect(fetch).not.toHaveBeenCalled()
    expect(source.readyState).toBe(EventSource.CLOSED)
  })

  it('says why to an iterator: after what it holds, it rejects with signal.reason (as an aborted fetch body)', async () => {
    const stream = mockStream()
    const controller = new AbortController()
    const source = openSource({signal: controller.signal})
    const got: string[] = []
    const iteration = (async () => {
      for await (const message of events(source)) {
        got.push(message.data)
        controller.abort(new Error('the route changed'))
      }
    })()
    ;(await stream.open()).send('data: 1\n\ndata: 2\n\n')
    await expect(iteration).rejects.toThrow('the route changed')
    expect(got).toEqual(['1', '2']) // both arrived in one chunk, before the abort
  })

  it('the default reason is an AbortError; close() instead ends the loop quietly', async () => {
    const stream = mockStream()
    const controller = new AbortController()
    const aborted = openSource({signal: controller.signal})
    const closed = openSource({signal: new AbortController().signal})
    const loops = [aborted, closed].map(async (source) => {
      for await (const message of events(source)) void message
      return 'done'
    })
    await stream.open()
    await stream.open()
    controller.abort()
    closed.close()
    await expect(loops[0]).rejects.toMatchObject({name: 'AbortError'})
    await expect(loops[1]).resolves.toBe('done')
  })

  it('releases its listener on the signal when the source closes any other way: close() and a fatal error', async () => {
    const stream = mockStream()
    const signal = new AbortController().signal
    const listeners = abortListeners(signal)
    const byClose = openSource({signal})
    const byError = openSource({signal, retryStatuses: []})
    await stream.open()
    expect(listeners.size).toBe(2)
    byClose.close()
    expect(listeners.size).toBe(1)
    const log = record(byError)
    ;(await stream.next()).respond({status: 503, body: ''})
    await until(() => log.length === 1, 'the fatal error')
    expect(byError.readyState).toBe(EventSource.CLOSED)
    expect(listeners.size).toBe(0)
  })

  it('a source closed by close() and started again by reconnect() still listens to its signal', async () => {
    const stream = mockStream()
    const controller = new AbortController()
    const listeners = abortListeners(controller.signal)
    const source = openSource({signal: controller.signal})
    await stream.open()
    source.close()
    source.reconnect()
    const second = await stream.open()
    expect(listeners.size).toBe(1)
    controller.abort()
    expect(source.readyState).toBe(EventSource.CLOSED)
    expect(second.aborted).toBe(true)
    expect(listeners.size).toBe(0)
  })

  it('a signal that is not an AbortSignal is a typed error, before any request', () => {
    const fetch = vi.fn<typeof globalThis.fetch>()
    let error: unknown
    try {
      new EventSource(STREAM_URL, {signal: 'stop' as never, fetch})
    } catch (caught) {
      error = caught
    }
    expect(HoldfastError.is(error) && error.code).toBe('invalid-option')
    expect((error as Error).message).toBe('Invalid EventSource option: `signal` must be an AbortSignal, got stop')
    expect(fetch).not.toHaveBeenCalled()
  })
})
