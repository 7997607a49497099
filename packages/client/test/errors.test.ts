import {runInNewContext} from 'node:vm'
import {describe, expect, it} from 'vitest'
import {ConnectionErrorEvent, HoldfastError} from '../src/index'
import {mockStream, openSource, STREAM_URL, until, useMockServer} from './harness'

useMockServer()

async function firstError(
  response: Parameters<Awaited<ReturnType<ReturnType<typeof mockStream>['next']>>['respond']>[0],
) {
  const stream = mockStream()
  const source = openSource({retryStatuses: []})
  let error: HoldfastError | undefined
  source.addEventListener('error', (event) => (error = event.error))
  ;(await stream.next()).respond(response)
  await until(() => error !== undefined, 'the error')
  return error as HoldfastError
}

describe('HoldfastError', () => {
  it('carries status, headers, Retry-After, a body excerpt, the URL and a message that says what failed', async () => {
    const error = await firstError({status: 503, headers: {'retry-after': '30', 'x-trace': 'abc'}, body: 'overloaded'})
    expect(error).toBeInstanceOf(HoldfastError)
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('HoldfastError')
    expect(error.code).toBe('http-status')
    expect(error.status).toBe(503)
    expect(error.headers?.get('x-trace')).toBe('abc')
    expect(error.retryAfter).toBe(30_000)
    expect(error.body).toBe('overloaded')
    expect(error.url).toBe(STREAM_URL)
    expect(error.message).toBe(`Failed to connect to ${STREAM_URL}: server responded 503`)
  })

  it('bounds the body excerpt to 1 KiB', async () => {
    const error = await firstError({status: 500, body: 'x'.repeat(100_000)})
    expect(error.body).toBe('x'.repeat(1024))
  })

  it('names the content type it got', async () => {
    const error = await firstError({headers: {'content-type': 'application/json'}, body: '{"error":"login"}'})
    expect(error.code).toBe('content-type')
    expect(error.status).toBe(200)
    expect(error.body).toBe('{"error":"login"}')
    expect(error.message).toContain('expected Content-Type text/event-stream, got application/json')
  })

  it('keeps the fetch rejection as cause for network errors', async () => {
    const cause = new TypeError('fetch failed')
    const source = openSource({
      fetch: async () => Promise.reject(cause),
      retryDelay: 60_000,
    })
    let error: HoldfastError | undefined
    source.onerror = (event) => (error = event.error)
    await until(() => error !== undefined, 'the error')
    expect(error?.code).toBe('network')
    expect(error?.cause).toBe(cause)
    expect(error?.message).toBe(`Failed to connect to ${STREAM_URL}: fetch failed`)
  })

  it('says that a body errored without a reason gave none (msw’s sse() `client.error()` does that)', async () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>
    const body = new ReadableStream<Uint8Array>({start: (c) => void (controller = c)})
    const source = openSource({
      fetch: async () => new Response(body, {headers: {'content-type': 'text/event-stream'}}),
      retryDelay: 60_000,
    })
    let error: HoldfastError | undefined
    source.onopen = () => controller.error()
    source.onerror = (event) => (error = event.error)
    await until(() => error !== undefined, 'the error')
    expect(error?.code).toBe('network')
    expect(error?.cause).toBeUndefined()
    expect(error?.message).toBe(`The connection to ${STREAM_URL} failed mid-stream: no reason given`)
  })

  it('reports a headers function that fails as `headers`, and retries it', async () => {
    const cause = new Error('token endpoint down')
    const source = openSource({
      headers: async () => Promise.reject(cause),
      retryDelay: 60_000,
    })
    const seen: string[] = []
    source.onerror = (event) => seen.push(`${event.error?.code}:${source.readyState}`)
    await until(() => seen.length === 1, 'the error')
    expect(seen).toEqual(['headers:0'])
  })

  it('is recognised across realms and copies by HoldfastError.is', () => {
    const foreign = runInNewContext('const e = new Error("x"); e.name = "HoldfastError"; e.code = "network"; e')
    expect(foreign instanceof HoldfastError).toBe(false)
    expect(HoldfastError.is(foreign)).toBe(true)
    expect(HoldfastError.is(new Error('x'))).toBe(false)
    expect(HoldfastError.is({name: 'HoldfastError', code: 'network'})).toBe(false)
  })

  it('as the `eventsource` package has it: the error event carries code (the status) and message', async () => {
    const stream = mockStream()
    const source = openSource({retryStatuses: []})
    const seen: Array<[number | undefined, string | undefined]> = []
    source.onerror = (event) => seen.push([event.code, event.message])
    ;(await stream.next()).respond({status: 401, body: ''})
    await until(() => seen.length === 1, 'the error')
    expect(seen).toEqual([[401, expect.stringContaining(`Failed to connect to ${STREAM_URL}: server responded 401`)]])
    const network = new ConnectionErrorEvent(new HoldfastError('network', 'Failed to connect'))
    expect([network.code, network.message]).toEqual([undefined, 'Failed to connect'])
  })

  it('a server’s own `event: error` reaches error listeners as a MessageEvent, without `error`', async () => {
    const stream = mockStream()
    const source = openSource()
    const seen: string[] = []
    source.addEventListener('error', (event) => {
      if (event instanceof ConnectionErrorEvent) seen.push(`connection:${event.error.code}`)
      else seen.push(`server:${event.data}:${String(event.error)}`)
    })
    const connection = await stream.open()
    connection.send('event: error\ndata: {"type":"overloaded"}\n\n')
    connection.end()
    await until(() => seen.length === 2, 'both')
    expect(seen).toEqual(['server:{"type":"overloaded"}:undefined', 'connection:stream-ended'])
  })

  it('travels on a plain-Event-shaped error event', () => {
    const error = new HoldfastError('idle-timeout', 'quiet')
    const event = new ConnectionErrorEvent(error)
    expect(event).toBeInstanceOf(Event)
    expect([event.type, event.bubbles, event.cancelable]).toEqual(['error', false, false])
    expect(event.error).toBe(error)
  })
})
