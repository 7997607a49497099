import {beforeEach, describe, expect, it, vi} from 'vitest'
import {EventSource} from '../src/index'
import {
  captureUncaughtExceptions,
  flush,
  mockStream,
  openSource,
  record,
  until,
  useFakeClock,
  useMockServer,
} from './harness'

useMockServer()

describe('[spec] reconnection', () => {
  beforeEach(() => useFakeClock())

  it('on the end of the body: error with CONNECTING, then a reconnection after the reconnection time', async () => {
    const stream = mockStream()
    const source = openSource({retryDelay: 1500})
    const log = record(source)
    const first = await stream.open()
    first.send('data: a\n\n')
    first.end()
    await until(() => log.length === 4, 'the error')
    expect(log).toEqual(['open:1', 'message:a', 'error:0:stream-ended', 'reconnecting:1:1500'])
    await vi.advanceTimersByTimeAsync(1499)
    expect(stream.connections).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(stream.connections).toHaveLength(2)
  })

  it('on a network drop mid-stream, the same', async () => {
    const stream = mockStream()
    const source = openSource({retryDelay: 1000})
    const log = record(source)
    const first = await stream.open()
    first.send('data: a\n\ndata: half')
    await until(() => log.length === 2, 'the message')
    first.fail()
    await until(() => log.length === 4, 'the error')
    expect(log).toEqual(['open:1', 'message:a', 'error:0:network', 'reconnecting:1:1000'])
  })

  it("uses the server's retry: as the reconnection time", async () => {
    const stream = mockStream()
    const source = openSource({retryDelay: 1000})
    const log = record(source)
    const first = await stream.open()
    first.send('retry: 250\nretry: 12x\n\n')
    first.end()
    await until(() => log.length === 3, 'the error')
    expect(log.at(-1)).toBe('reconnecting:1:250')
    await vi.advanceTimersByTimeAsync(250)
    expect(stream.connections).toHaveLength(2)
  })
})

describe('[spec] close()', () => {
  beforeEach(() => useFakeClock())

  it('while connecting: aborts the request; CLOSED, no events', async () => {
    const stream = mockStream()
    const source = openSource()
    const log = record(source)
    const connection = await stream.next()
    source.close()
    expect(source.readyState).toBe(EventSource.CLOSED)
    expect(connection.aborted).toBe(true)
    connection.respond()
    await flush()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(log).toEqual([])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('inside onopen: no further events', async () => {
    const stream = mockStream()
    const source = openSource()
    source.onopen = () => source.close() // registered first, so it runs before the recorder
    const log = record(source)
    const connection = await stream.open()
    await until(() => log.length === 1, 'open')
    connection.send('data: never\n\n')
    connection.end()
    await flush()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(log).toEqual(['open:2'])
    expect(connection.aborted).toBe(true)
    expect(stream.connections).toHaveLength(1)
  })

  it('inside onopen: cancels the body even when the fetch does not tie it to the abort signal', async () => {
    const cancelled: unknown[] = []
    const body = new ReadableStream({cancel: (reason) => void cancelled.push(reason)})
    const fetch = async (): Promise<Response> => new Response(body, {headers: {'content-type': 'text/event-stream'}})
    const source = openSource({fetch})
    source.onopen = () => source.close()
    await until(() => cancelled.length === 1, 'the body cancelled')
    expect(source.readyState).toBe(EventSource.CLOSED)
  })

  it('inside onmessage: no further events, not even from the same chunk', async () => {
    const stream = mockStream()
    const source = openSource()
    const log = record(source)
    source.onmessage = (event) => {
      if (event.data === '1') source.close()
    }
    const connection = await stream.open()
    connection.send('data: 1\n\ndata: 2\n\nid: 3\ndata: 3\n\n')
    await until(() => log.length === 2, 'the first message')
    await flush()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(log).toEqual(['open:1', 'message:1'])
    expect(source.lastEventId).toBe('')
    expect(connection.aborted).toBe(true)
  })

  it('inside onerror: no reconnection', async () => {
    const stream = mockStream()
    const source = openSource({retryDelay: 10})
    source.onerror = () => source.close() // registered first, so it runs before the recorder
    const log = record(source)
    ;(await stream.open()).end()
    await until(() => log.length === 2, 'the error')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(log).toEqual(['open:1', 'error:2:stream-ended'])
    expect(stream.connections).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('while a reconnection is pending: cancels it', async () => {
    const stream = mockStream()
    const source = openSource({retryDelay: 5000})
    const log = record(source)
    ;(await stream.open()).end()
    await until(() => log.length === 3, 'the reconnecting event')
    expect(vi.getTimerCount()).toBe(1)
    source.close()
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(stream.connections).toHaveLength(1)
    expect(source.readyState).toBe(EventSource.CLOSED)
  })

  it('is idempotent', () => {
    mockStream()
    const source = openSource()
    source.close()
    source.close()
    expect(source.readyState).toBe(EventSource.CLOSED)
  })
})

describe('[spec] a listener that throws', () => {
  const reported = captureUncaughtExceptions()

  it('does not stop other listeners or the stream', async () => {
    const stream = mockStream()
    const source = openSource()
    const received: string[] = []
    source.onmessage = () => {
      throw new Error('listener bug')
    }
    source.addEventListener('message', (event) => received.push(event.data))
    const connection = await stream.open()
    connection.send('data: 1\n\ndata: 2\n\n')
    connection.send('data: 3\n\n')
    await until(() => received.length === 3 && reported.length === 3, 'all three messages')
    expect(received).toEqual(['1', '2', '3'])
    expect(reported).toEqual([
      expect.objectContaining({message: 'listener bug'}),
      expect.objectContaining({message: 'listener bug'}),
      expect.objectContaining({message: 'listener bug'}),
    ])
    expect(source.readyState).toBe(EventSource.OPEN)
  })
})
