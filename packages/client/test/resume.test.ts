import {beforeEach, describe, expect, it, vi} from 'vitest'
import {EventSource} from '../src/index'
import type {StorageLike} from '../src/index'
import {flush, mockStream, openSource, STREAM_URL, until, useFakeClock, useMockServer} from './harness'

useMockServer()
beforeEach(() => useFakeClock())

function memoryStorage(): StorageLike & {data: Map<string, string>} {
  const data = new Map<string, string>()
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  }
}

/** Delivers `text` on an answered connection, ends it, and returns the reconnection's request (unanswered). */
async function reconnectAfter(stream: ReturnType<typeof mockStream>, source: EventSource, text: string) {
  const connection = stream.connections.at(-1)!
  connection.send(text)
  connection.end()
  await until(() => source.readyState === EventSource.CONNECTING && vi.getTimerCount() > 0, 'the reconnect')
  await vi.advanceTimersByTimeAsync(100)
  const next = await stream.next()
  next.respond()
  return next
}

describe('[ext] Last-Event-ID resume', () => {
  it('sends the id as a header by default, and exposes it on the instance', async () => {
    const stream = mockStream()
    const source = openSource({retryDelay: 100})
    await stream.open()
    const next = await reconnectAfter(stream, source, 'id: 41\ndata: x\n\n')
    expect(next.request.headers.get('last-event-id')).toBe('41')
    expect(next.url.searchParams.has('lastEventId')).toBe(false)
    expect(source.lastEventId).toBe('41')
  })

  it('sends it as a query parameter instead, with a configurable name, replacing any earlier value', async () => {
    const url = `${STREAM_URL}?channel=a`
    const stream = mockStream()
    const source = openSource({retryDelay: 100, lastEventIdIn: 'query', lastEventIdParam: 'since'}, url)
    await stream.open()
    const first = await reconnectAfter(stream, source, 'id: 7\ndata: x\n\n')
    expect(first.url.searchParams.get('since')).toBe('7')
    expect(first.url.searchParams.get('channel')).toBe('a')
    expect(first.request.headers.has('last-event-id')).toBe(false)
    const second = await reconnectAfter(stream, source, 'id: 8\ndata: y\n\n')
    expect(second.url.searchParams.getAll('since')).toEqual(['8'])
  })

  it('sends both when asked', async () => {
    const stream = mockStream()
    openSource({lastEventIdIn: 'both', lastEventId: 'abc'})
    const {request, url} = await stream.next()
    expect(request.headers.get('last-event-id')).toBe('abc')
    expect(url.searchParams.get('lastEventId')).toBe('abc')
  })

  it('persists the id so that a reload resumes where it left off', async () => {
    const storage = memoryStorage()
    const stream = mockStream()
    const before = openSource({persistLastEventId: {key: 'feed', storage}, lastEventId: 'ignored'})
    expect((await stream.next()).request.headers.get('last-event-id')).toBe('ignored')
    stream.connections[0]!.respond()
    stream.connections[0]!.send('id: 99\ndata: x\n\n')
    await until(() => storage.data.get('feed') === '99', 'the id is stored')
    before.close()

    const after = openSource({persistLastEventId: {key: 'feed', storage}, lastEventId: 'ignored'})
    expect((await stream.next()).request.headers.get('last-event-id')).toBe('99')
    expect(after.lastEventId).toBe('99')
    stream.connections[1]!.respond()
    stream.connections[1]!.send('id\ndata: reset\n\n')
    await until(() => !storage.data.has('feed'), 'an empty id clears the stored one')
  })

  it('uses sessionStorage for a string key, and survives storage that throws', async () => {
    const session = memoryStorage()
    vi.stubGlobal('sessionStorage', session)
    try {
      const stream = mockStream()
      session.setItem('k', '5')
      openSource({persistLastEventId: 'k'})
      expect((await stream.next()).request.headers.get('last-event-id')).toBe('5')
    } finally {
      vi.unstubAllGlobals()
    }
    const broken: StorageLike = {
      getItem: () => {
        throw new Error('SecurityError')
      },
      setItem: () => {
        throw new Error('QuotaExceededError')
      },
      removeItem: () => {},
    }
    const stream = mockStream(`${STREAM_URL}/broken`)
    const source = openSource({persistLastEventId: {key: 'k', storage: broken}}, `${STREAM_URL}/broken`)
    const connection = await stream.open()
    connection.send('id: 1\ndata: still delivered\n\n')
    const got: string[] = []
    source.onmessage = (event) => got.push(event.data)
    await until(() => got.length === 1, 'the message')
    expect(source.lastEventId).toBe('1')
    await flush()
  })
})
