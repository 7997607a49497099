import {beforeEach, describe, expect, it, vi} from 'vitest'
import {EventSource, HoldfastError, ReconnectingEvent} from '../src/index'
import {mockStream, openSource, until, useFakeClock, useMockServer} from './harness'

useMockServer()
beforeEach(() => useFakeClock())

describe('[ext] observability', () => {
  it('fires reconnecting with the attempt, the delay and the error that caused it', async () => {
    const stream = mockStream()
    const source = openSource({retryDelay: 1000})
    const events: ReconnectingEvent[] = []
    source.onreconnecting = (event) => event instanceof ReconnectingEvent && events.push(event)
    ;(await stream.next()).respond({status: 502, body: ''})
    await until(() => events.length === 1, 'reconnecting')
    const [event] = events as [ReconnectingEvent]
    expect(event).toBeInstanceOf(Event)
    expect([event.type, event.attempt, event.delay]).toEqual(['reconnecting', 1, 1000])
    expect(event.error).toBeInstanceOf(HoldfastError)
    expect(event.error.status).toBe(502)
  })

  it('close() inside the reconnecting handler cancels the attempt', async () => {
    const stream = mockStream()
    const source = openSource({retryDelay: 1000})
    source.onreconnecting = () => source.close()
    ;(await stream.open()).end()
    await until(() => source.readyState === EventSource.CLOSED, 'closed')
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(stream.connections).toHaveLength(1)
  })

  it('counts connections, reconnects, messages and bytes, and the last activity time', async () => {
    vi.setSystemTime(Date.parse('2026-11-21T12:00:00Z'))
    const stream = mockStream()
    const source = openSource({retryDelay: 100})
    expect(source.stats).toEqual({
      connections: 0,
      reconnects: 0,
      messages: 0,
      duplicates: 0,
      bytes: 0,
      lastActivityAt: undefined,
    })
    const first = await stream.open()
    first.send('data: 1\n\n') // 9 bytes
    await until(() => source.stats.messages === 1, 'first message')
    await vi.advanceTimersByTimeAsync(1000)
    first.send(': ping\n') // 7 bytes
    await until(() => source.stats.bytes === 16, 'the comment')
    await vi.advanceTimersByTimeAsync(500)
    expect(source.stats.lastActivityAt).toBe(Date.parse('2026-11-21T12:00:01Z'))
    first.end()
    await until(() => vi.getTimerCount() === 1, 'reconnect scheduled')
    await vi.advanceTimersByTimeAsync(100)
    ;(await stream.open()).send('data: 2\n\ndata: 3\n\n')
    await until(() => source.stats.messages === 3, 'more messages')
    expect(source.stats).toMatchObject({connections: 2, reconnects: 1, messages: 3, duplicates: 0, bytes: 34})
  })
})
