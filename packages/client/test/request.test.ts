import {describe, expect, it, vi} from 'vitest'
import {EventSource} from '../src/index'
import {flush, mockStream, openSource, STREAM_URL, until, useFakeClock, useMockServer} from './harness'

useMockServer()

/** The raw header value as bytes: fetch carries each UTF-8 byte as one Latin-1 code unit. */
function headerBytes(value: string | null): number[] {
  return [...(value ?? '')].map((char) => char.charCodeAt(0))
}

describe('[spec] the request', () => {
  it('is a GET that accepts text/event-stream, bypasses the cache, and sends same-origin credentials', async () => {
    const stream = mockStream()
    openSource()
    const {request} = await stream.next()
    expect(request.method).toBe('GET')
    expect(request.headers.get('accept')).toBe('text/event-stream')
    expect(request.cache).toBe('no-store')
    expect(request.credentials).toBe('same-origin')
    expect(request.headers.has('last-event-id')).toBe(false)
  })

  it('includes credentials with withCredentials', async () => {
    const stream = mockStream()
    openSource({withCredentials: true})
    expect((await stream.next()).request.credentials).toBe('include')
  })

  it('sends Last-Event-ID on reconnection, encoded as UTF-8', async () => {
    useFakeClock()
    const stream = mockStream()
    openSource({retryDelay: 100})
    const first = await stream.open()
    first.send('id: café-😀\ndata: x\n\n')
    first.end()
    await flush()
    await vi.advanceTimersByTimeAsync(100)
    const second = await stream.next()
    expect(headerBytes(second.request.headers.get('last-event-id'))).toEqual([...new TextEncoder().encode('café-😀')])
  })

  it('reconnects with the id of the last dispatched block, not of a block cut off by the end', async () => {
    useFakeClock()
    const stream = mockStream()
    openSource({retryDelay: 100})
    const first = await stream.open()
    first.send('id: 1\ndata: a\n\nid: 2\ndata: cut')
    first.end()
    await flush()
    await vi.advanceTimersByTimeAsync(100)
    expect((await stream.next()).request.headers.get('last-event-id')).toBe('1')
  })
})

describe('[ext] request extensions', () => {
  it('sends static headers, and calls a headers function before every attempt', async () => {
    useFakeClock()
    const stream = mockStream()
    let token = 0
    const headers = vi.fn(async () => ({authorization: `Bearer ${++token}`}))
    openSource({headers, retryDelay: 100})
    const first = await stream.open()
    expect(first.request.headers.get('authorization')).toBe('Bearer 1')
    first.send('id: 5\ndata: x\n\n')
    first.end()
    await flush()
    await vi.advanceTimersByTimeAsync(100)
    const second = await stream.next()
    expect(second.request.headers.get('authorization')).toBe('Bearer 2')
    expect(headers.mock.calls).toEqual([[{attempt: 0, lastEventId: ''}], [{attempt: 1, lastEventId: '5'}]])

    const plain = mockStream(`${STREAM_URL}/plain`)
    openSource({headers: [['x-tenant', 'acme']]}, `${STREAM_URL}/plain`)
    expect((await plain.next()).request.headers.get('x-tenant')).toBe('acme')
  })

  it('sends a POST with a body', async () => {
    const stream = mockStream()
    openSource({method: 'post', body: JSON.stringify({prompt: 'hi'}), headers: {'content-type': 'application/json'}})
    const {request} = await stream.next()
    expect(request.method).toBe('POST')
    expect(await request.json()).toEqual({prompt: 'hi'})
    expect(request.headers.get('accept')).toBe('text/event-stream')
  })

  it('sends a ReadableStream body with duplex: half, once: its failure is final, whatever shouldRetry says', async () => {
    const inits: RequestInit[] = []
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      inits.push(init!)
      await new Response(init!.body).text() // consumes the stream, as a real fetch does
      return new Response('', {headers: {'content-type': 'text/event-stream'}})
    })
    const body = new Blob(['{"prompt":"hi"}']).stream()
    const shouldRetry = vi.fn(() => true)
    const errors: Array<string | undefined> = []
    const source = openSource({method: 'POST', body, fetch, shouldRetry, retryNonGet: true, retryDelay: 0})
    source.addEventListener('error', (event) => errors.push(event.error?.code))
    await until(() => source.readyState === EventSource.CLOSED, 'the end of the stream')
    await flush()
    expect(errors).toEqual(['stream-ended'])
    expect(shouldRetry).not.toHaveBeenCalled()
    expect(inits).toHaveLength(1)
    expect((inits[0] as {duplex?: string}).duplex).toBe('half')
  })

  it('a ReadableStream body reaches the server', async () => {
    const stream = mockStream()
    openSource({method: 'POST', body: new Blob(['streamed']).stream()})
    expect(await (await stream.next()).request.text()).toBe('streamed')
  })

  it('uses a custom fetch', async () => {
    const fetch = vi.fn(async () => new Response('data: custom\n\n', {headers: {'content-type': 'text/event-stream'}}))
    const source = openSource({fetch})
    const messages: string[] = []
    source.onmessage = (event) => messages.push(event.data)
    await until(() => messages.length === 1, 'the message')
    expect(messages).toEqual(['custom'])
    expect(fetch).toHaveBeenCalledWith(STREAM_URL, expect.objectContaining({method: 'GET'}))
  })

  it('hands a custom fetch the headers as a plain object, which it may spread (the eventsource package’s way)', async () => {
    useFakeClock()
    const stream = mockStream()
    const fetch = vi.fn((url: RequestInfo | URL, init?: RequestInit) =>
      globalThis.fetch(url, {...init, headers: {...init?.headers, authorization: 'Bearer token'}}),
    )
    openSource({retryDelay: 100, fetch, headers: {'x-tenant': 'acme'}})
    const first = await stream.open()
    first.send('id: 7\ndata: x\n\n')
    first.end()
    await flush()
    await vi.advanceTimersByTimeAsync(100)
    const {request} = await stream.next()
    expect(Object.fromEntries(request.headers)).toEqual({
      accept: 'text/event-stream',
      authorization: 'Bearer token',
      'last-event-id': '7',
      'x-tenant': 'acme',
    })
  })

  it('sends an initial lastEventId on the first connection', async () => {
    const stream = mockStream()
    const source = openSource({lastEventId: '41'})
    expect((await stream.next()).request.headers.get('last-event-id')).toBe('41')
    expect(source.lastEventId).toBe('41')
  })
})
