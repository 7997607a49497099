import {beforeEach, describe, expect, it, vi} from 'vitest'
import {EventSource} from '../src/index'
import {events} from '../src/iterate'
import {controlledEnvironment, mockStream, openSource, record, until, useFakeClock, useMockServer} from './harness'

useMockServer()

describe('[ext] reconnect()', () => {
  beforeEach(() => useFakeClock())

  it('from OPEN: drops the stream and connects now with the Last-Event-ID; no error, no reconnecting', async () => {
    const stream = mockStream()
    const source = openSource()
    const log = record(source)
    const first = await stream.open()
    first.send('id: 7\ndata: a\n\n')
    await until(() => log.length === 2, 'the message')
    source.reconnect()
    expect(source.readyState).toBe(EventSource.CONNECTING)
    expect(first.aborted).toBe(true)
    const second = await stream.open()
    expect(second.request.headers.get('last-event-id')).toBe('7')
    second.send('data: b\n\n')
    await until(() => log.length === 4, 'the second stream')
    expect(log).toEqual(['open:1', 'message:a', 'open:1', 'message:b'])
    expect(source.stats).toMatchObject({connections: 2, reconnects: 1})
  })

  it('from CONNECTING: abandons the attempt in progress for a new one', async () => {
    const stream = mockStream()
    const source = openSource()
    const log = record(source)
    const first = await stream.next()
    source.reconnect()
    expect(first.aborted).toBe(true)
    const second = await stream.open()
    first.respond() // too late: nobody reads it
    await until(() => log.length === 1, 'open')
    expect(log).toEqual(['open:1'])
    expect(second.aborted).toBe(false)
    expect(stream.connections).toHaveLength(2)
  })

  it('while a reconnect waits: connects now instead, with the backoff reset', async () => {
    const stream = mockStream()
    const source = openSource({retryDelay: 1000, stableAfter: 60_000})
    const log = record(source)
    ;(await stream.open()).end()
    await until(() => log.includes('reconnecting:1:1000'), 'the first wait')
    await vi.advanceTimersByTimeAsync(1000)
    ;(await stream.open()).end()
    await until(() => log.includes('reconnecting:2:2000'), 'the second, longer wait')
    source.reconnect()
    expect(vi.getTimerCount()).toBe(1) // the new attempt's watchdog; the reconnect timer is gone
    const third = await stream.open()
    third.end()
    await until(() => log.length === 9, 'the next failure')
    // Attempt 1 again, after 1 s: reconnect() reset the backoff.
    expect(log.slice(6)).toEqual(['open:1', 'error:0:stream-ended', 'reconnecting:1:1000'])
    expect(stream.connections).toHaveLength(3)
  })

  it('while it waits for online (offline): connects now', async () => {
    const stream = mockStream()
    const environment = controlledEnvironment()
    const source = openSource({environment})
    const log = record(source)
    const first = await stream.open()
    environment.set({online: false})
    first.fail()
    await until(() => log.includes('error:0:network'), 'the failure, offline')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(stream.connections).toHaveLength(1) // offline: it waits for `online`
    source.reconnect()
    await stream.open()
    expect(stream.connections).toHaveLength(2)
  })

  it('while an async shouldRetry is pending: connects now, and its late answer changes nothing', async () => {
    const stream = mockStream()
    let answer: (retry: boolean) => void = () => {}
    const shouldRetry = vi.fn(() => new Promise<boolean>((resolve) => (answer = resolve)))
    const source = openSource({shouldRetry})
    const log = record(source)
    ;(await stream.open()).end()
    await until(() => shouldRetry.mock.calls.length === 1, 'the hook asked')
    source.reconnect()
    const second = await stream.open()
    answer(false) // "close": too late, the source reconnected meanwhile
    await until(() => log.length === 2, 'open')
    expect([source.readyState, second.aborted, log]).toEqual([EventSource.OPEN, false, ['open:1', 'open:1']])
  })

  it('a stream paused on a hidden page stays paused: it connects once the page is visible', async () => {
    const stream = mockStream()
    const environment = controlledEnvironment()
    const source = openSource({environment, pauseWhenHidden: 1000})
    const first = await stream.open()
    environment.set({hidden: true})
    await vi.advanceTimersByTimeAsync(1000)
    expect(first.aborted).toBe(true)
    source.reconnect()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(stream.connections).toHaveLength(1)
    environment.set({hidden: false})
    await stream.open()
    expect(stream.connections).toHaveLength(2)
  })

  it('after a fatal error (a 401 the app has since fixed): starts again', async () => {
    const stream = mockStream()
    let token = 'expired'
    const source = openSource({headers: () => ({authorization: `Bearer ${token}`})})
    const log = record(source)
    ;(await stream.next()).respond({status: 401, body: ''})
    await until(() => log.length === 1, 'the fatal error')
    expect(log).toEqual(['error:2:http-status'])
    token = 'fresh'
    source.reconnect()
    expect(source.readyState).toBe(EventSource.CONNECTING)
    const second = await stream.open()
    expect(second.request.headers.get('authorization')).toBe('Bearer fresh')
    await until(() => log.length === 2, 'open')
    expect(log).toEqual(['error:2:http-status', 'open:1'])
  })

  it("after the app's own close(): starts again, from the last event id", async () => {
    const stream = mockStream()
    const source = openSource()
    const log = record(source)
    const first = await stream.open()
    first.send('id: 3\ndata: a\n\n')
    await until(() => log.length === 2, 'the message')
    source.close()
    source.reconnect()
    const second = await stream.open()
    expect(second.request.headers.get('last-event-id')).toBe('3')
    await until(() => log.length === 3, 'open')
    expect(source.readyState).toBe(EventSource.OPEN)
    expect(source.stats).toMatchObject({connections: 2, reconnects: 1, messages: 1}) // as before close()
    source.close()
    expect(second.aborted).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('after a close, the network and page state are watched again (and released again on close)', async () => {
    const stream = mockStream()
    const environment = controlledEnvironment()
    const source = openSource({environment, pauseWhenHidden: 1000})
    await stream.open()
    expect(environment.listeners.size).toBe(1)
    source.close()
    expect(environment.listeners.size).toBe(0)
    source.reconnect()
    const second = await stream.open()
    expect(environment.listeners.size).toBe(1)
    environment.set({hidden: true})
    await vi.advanceTimersByTimeAsync(1000)
    expect(second.aborted).toBe(true) // the page-state handling runs on the restarted source
    source.close()
    expect(environment.listeners.size).toBe(0)
  })

  it('from a message listener: the rest of the chunk is not delivered, and the next stream parses cleanly', async () => {
    const stream = mockStream()
    const source = openSource()
    const log = record(source)
    const first = await stream.open()
    source.addEventListener('message', (event) => event.data === 'restart' && source.reconnect())
    first.send('data: restart\n\ndata: dropped\n\ndata: half a li')
    const second = await stream.open()
    second.send('ne\n\ndata: whole\n\n')
    await until(() => log.filter((entry) => entry.startsWith('message')).length === 2, 'the new stream’s event')
    // The old stream's half line never reaches the new stream's parser: "ne" is an unknown field, ignored.
    expect(log).toEqual(['open:1', 'message:restart', 'open:1', 'message:whole'])
  })

  it('from the error listener of a fatal error: the source runs again, and its iterators go on', async () => {
    const stream = mockStream()
    const source = openSource({retryStatuses: []})
    source.addEventListener('error', () => source.readyState === EventSource.CLOSED && source.reconnect())
    const iterator = events(source)
    const next = iterator.next()
    ;(await stream.next()).respond({status: 500, body: ''})
    const second = await stream.open()
    second.send('data: after\n\n')
    expect((await next).value?.data).toBe('after')
    await iterator.return()
  })
})
