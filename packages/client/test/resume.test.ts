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

/** User agents (as each engine sends it) and where a non-ASCII id goes there with `lastEventIdIn: 'header'`. */
const agents = {
  'WebKitGTK 2.50 (MiniBrowser, Epiphany)': {
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/60.5 Safari/605.1.15',
    nonAscii: 'query',
  },
  'WPE WebKit': {
    userAgent: 'Mozilla/5.0 (Linux; aarch64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15',
    nonAscii: 'query',
  },
  'Chromium on Linux': {
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
    nonAscii: 'header',
  },
  'an Android WebView': {
    userAgent:
      'Mozilla/5.0 (Linux; Android 14; K; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/156.0.0.0 Mobile Safari/537.36',
    nonAscii: 'header',
  },
  'Firefox on Linux': {
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0',
    nonAscii: 'header',
  },
  'Safari on macOS': {
    userAgent:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0 Safari/605.1.15',
    nonAscii: 'header',
  },
} as const

describe('[ext] a non-ASCII Last-Event-ID where no header can carry its bytes (WebKitGTK, WPE)', () => {
  for (const [engine, {userAgent, nonAscii}] of Object.entries(agents)) {
    it(`${engine}: a non-ASCII id goes in the ${nonAscii}${nonAscii === 'query' ? ' parameter alone' : ' as UTF-8 bytes'}; an ASCII id in the header`, async () => {
      vi.stubGlobal('navigator', {userAgent})
      try {
        const stream = mockStream()
        const source = openSource({retryDelay: 100, lastEventId: 'é€𝄞'})
        const first = await stream.next()
        const header = first.request.headers.get('last-event-id')
        if (nonAscii === 'query') {
          expect(header).toBeNull()
          expect(first.url.searchParams.get('lastEventId')).toBe('é€𝄞')
        } else {
          expect([...(header ?? '')].map((char) => char.charCodeAt(0))).toEqual([...new TextEncoder().encode('é€𝄞')])
          expect(first.url.searchParams.has('lastEventId')).toBe(false)
        }
        first.respond()
        useFakeClock()
        const next = await reconnectAfter(stream, source, 'id: 42\ndata: x\n\n')
        expect(next.request.headers.get('last-event-id')).toBe('42')
        expect(next.url.searchParams.has('lastEventId')).toBe(false)
        source.close()
      } finally {
        vi.unstubAllGlobals()
      }
    })
  }

  it("WebKitGTK, lastEventIdIn 'both': a non-ASCII id in the query parameter alone, an ASCII one in both", async () => {
    vi.stubGlobal('navigator', agents['WebKitGTK 2.50 (MiniBrowser, Epiphany)'])
    try {
      const stream = mockStream()
      openSource({lastEventIdIn: 'both', lastEventId: 'ü'})
      const {request, url} = await stream.next()
      expect(request.headers.has('last-event-id')).toBe(false)
      expect(url.searchParams.get('lastEventId')).toBe('ü')
      openSource({lastEventIdIn: 'both', lastEventId: 'u'})
      const ascii = await stream.next()
      expect(ascii.request.headers.get('last-event-id')).toBe('u')
      expect(ascii.url.searchParams.get('lastEventId')).toBe('u')
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
