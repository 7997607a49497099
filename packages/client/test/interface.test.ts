import {afterEach, describe, expect, it, vi} from 'vitest'
import {ConnectionErrorEvent, EventSource} from '../src/index'
import {mockStream, openSource, STREAM_URL, until, useMockServer} from './harness'

useMockServer()
afterEach(() => vi.unstubAllGlobals())

describe('[spec] the EventSource interface', () => {
  it('has CONNECTING, OPEN and CLOSED on the class, its prototype and instances, read-only', () => {
    mockStream()
    const source = openSource()
    for (const target of [EventSource, EventSource.prototype, source]) {
      expect([target.CONNECTING, target.OPEN, target.CLOSED]).toEqual([0, 1, 2])
    }
    expect(Object.getOwnPropertyDescriptor(EventSource.prototype, 'OPEN')).toMatchObject({
      writable: false,
      enumerable: true,
    })
    expect(Object.getOwnPropertyDescriptor(EventSource, 'CLOSED')).toMatchObject({writable: false, enumerable: true})
  })

  it('is an EventTarget with read-only readyState, url and withCredentials', () => {
    mockStream()
    const source = openSource({withCredentials: true})
    expect(source).toBeInstanceOf(EventTarget)
    expect(source.readyState).toBe(EventSource.CONNECTING)
    expect(source.url).toBe(STREAM_URL)
    expect(source.withCredentials).toBe(true)
    const writable = source as unknown as Record<string, unknown>
    expect(() => (writable.readyState = 2)).toThrow(TypeError)
    expect(() => (writable.url = 'http://elsewhere/')).toThrow(TypeError)
    expect(() => (writable.withCredentials = false)).toThrow(TypeError)
    expect(openSource().withCredentials).toBe(false)
  })

  it('resolves a relative URL against the document base URL, or the worker location', () => {
    mockStream('http://app.test/api/stream')
    vi.stubGlobal('document', {baseURI: 'http://app.test/api/'})
    expect(openSource({}, 'stream').url).toBe('http://app.test/api/stream')
    vi.unstubAllGlobals()
    vi.stubGlobal('location', {href: 'http://app.test/api/worker.js'})
    expect(openSource({}, new URL('http://app.test/api/stream')).url).toBe('http://app.test/api/stream')
    expect(openSource({}, './stream').url).toBe('http://app.test/api/stream')
  })

  it('[spec] treats a null init as an empty one, as WebIDL does', () => {
    const source = new EventSource(STREAM_URL, null)
    expect(source.withCredentials).toBe(false)
    source.close()
  })

  it('constructs where reading sessionStorage throws (sandboxed frames), and persistence degrades to memory', () => {
    const blocked = Object.getOwnPropertyDescriptor(globalThis, 'sessionStorage')
    Object.defineProperty(globalThis, 'sessionStorage', {
      configurable: true,
      get() {
        throw new DOMException('The document is sandboxed and lacks the allow-same-origin flag.', 'SecurityError')
      },
    })
    try {
      new EventSource(STREAM_URL).close()
      const persisted = new EventSource(STREAM_URL, {persistLastEventId: 'feed', lastEventId: '4'})
      expect(persisted.lastEventId).toBe('4')
      persisted.close()
    } finally {
      if (blocked) Object.defineProperty(globalThis, 'sessionStorage', blocked)
      else delete (globalThis as {sessionStorage?: unknown}).sessionStorage
    }
  })

  it('throws a SyntaxError DOMException for a URL that cannot be parsed', () => {
    let error: unknown
    try {
      new EventSource('http://[not a host]/')
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(DOMException)
    expect((error as DOMException).name).toBe('SyntaxError')
    // Without a document base, a relative URL cannot be parsed either.
    expect(() => new EventSource('/relative')).toThrow(expect.objectContaining({name: 'SyntaxError'}))
  })

  it('starts handlers at null and runs them in registration order among listeners', async () => {
    const stream = mockStream()
    const source = openSource()
    expect([source.onopen, source.onmessage, source.onerror, source.onreconnecting]).toEqual([null, null, null, null])
    const order: string[] = []
    source.addEventListener('message', () => order.push('first listener'))
    source.onmessage = () => order.push('handler v1')
    source.addEventListener('message', () => order.push('second listener'))
    source.onmessage = () => order.push('handler v2') // reassignment keeps the handler's place
    const connection = await stream.open()
    connection.send('data: 1\n\n')
    await until(() => order.length === 3, 'first event')
    expect(order).toEqual(['first listener', 'handler v2', 'second listener'])

    source.onmessage = null // removes it ...
    expect(source.onmessage).toBeNull()
    const handler = (): number => order.push('handler v3')
    source.onmessage = handler // ... and a new assignment goes to the end
    expect(source.onmessage).toBe(handler)
    order.length = 0
    connection.send('data: 2\n\n')
    await until(() => order.length === 3, 'second event')
    expect(order).toEqual(['first listener', 'second listener', 'handler v3'])
  })

  it('calls handlers with the source as `this`', async () => {
    const stream = mockStream()
    const source = openSource()
    const receivers: unknown[] = []
    source.onopen = function () {
      receivers.push(this)
    }
    await stream.open()
    await until(() => receivers.length === 1, 'open')
    expect(receivers).toEqual([source])
  })

  it('fires MessageEvents with data, lastEventId and origin; open and error are Events', async () => {
    const stream = mockStream()
    const source = openSource()
    const seen: Event[] = []
    source.onopen = (event) => seen.push(event)
    source.addEventListener('tick', (event) => seen.push(event))
    source.onerror = (event) => {
      seen.push(event)
      source.close()
    }
    const connection = await stream.open()
    connection.send('event: tick\nid: 9\ndata: payload\n\n')
    connection.end()
    await until(() => seen.length === 3, 'open, tick, error')
    const [open, tick, error] = seen as [Event, MessageEvent, ConnectionErrorEvent]
    expect(open).toBeInstanceOf(Event) // [ext] an OpenEvent, an Event to drop-in code
    expect(open.type).toBe('open')
    expect(tick).toBeInstanceOf(MessageEvent)
    expect({type: tick.type, data: tick.data, lastEventId: tick.lastEventId, origin: tick.origin}).toEqual({
      type: 'tick',
      data: 'payload',
      lastEventId: '9',
      origin: 'http://sse.test',
    })
    expect(error).toBeInstanceOf(Event)
    expect(error.type).toBe('error')
    expect(error.error.code).toBe('stream-ended')
  })

  it('never builds events for a type nobody listens to, but does once someone listens', async () => {
    const stream = mockStream()
    const source = openSource()
    const dispatch = vi.spyOn(source, 'dispatchEvent')
    const connection = await stream.open()
    connection.send('event: unheard\ndata: x\n\n')
    await until(() => source.stats.messages === 1, 'first event')
    expect(dispatch.mock.calls.map(([event]) => event.type)).toEqual(['open'])
    const heard: string[] = []
    source.addEventListener('unheard', (event) => heard.push(event.data))
    connection.send('event: unheard\ndata: y\n\n')
    await until(() => heard.length === 1, 'second event')
    expect(heard).toEqual(['y'])
  })
})
