import {http} from 'msw'
import {describe, expect, it, vi} from 'vitest'
import {EventSource} from '../src/index'
import {
  flush,
  mockStream,
  ORIGIN,
  openSource,
  record,
  STREAM_URL,
  until,
  useFakeClock,
  useHandlers,
  useMockServer,
} from './harness'

useMockServer()

describe('[spec] the response', () => {
  it.each(['text/event-stream', 'Text/Event-Stream; charset=utf-8', 'text/event-stream;foo=bar'])(
    'opens on 200 with %s',
    async (contentType) => {
      const stream = mockStream()
      const source = openSource()
      const log = record(source)
      ;(await stream.next()).respond({headers: {'content-type': contentType}})
      await until(() => log.length === 1, 'open')
      expect(log).toEqual(['open:1'])
    },
  )

  it.each([
    ['204 No Content', {status: 204}, 'no-content'],
    ['a 404', {status: 404, body: 'not here'}, 'http-status'],
    ['a 201', {status: 201, body: 'data: x\n\n'}, 'http-status'],
    ['another content type', {headers: {'content-type': 'text/html'}, body: '<html>login</html>'}, 'content-type'],
    ['a missing content type', {headers: {'content-type': ''}, body: 'data: x\n\n'}, 'content-type'],
  ])('fails the connection for good on %s: CLOSED, one error, no reconnection', async (_name, response, code) => {
    useFakeClock()
    const stream = mockStream()
    const source = openSource()
    const log = record(source)
    ;(await stream.next()).respond(response)
    await until(() => log.length === 1, 'the error')
    expect(log).toEqual([`error:2:${code}`])
    await vi.advanceTimersByTimeAsync(120_000)
    expect(stream.connections).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('follows a same-origin redirect; origin is the final one and reconnections go to the final URL', async () => {
    useFakeClock()
    const final = mockStream(`${ORIGIN}/moved`)
    let redirected = 0
    useHandlers(
      http.get(STREAM_URL, () => {
        redirected++
        return new Response(null, {status: 307, headers: {location: `${ORIGIN}/moved`}})
      }),
    )
    const source = openSource({retryDelay: 100, headers: {authorization: 'Bearer secret'}})
    const origins: string[] = []
    source.onmessage = (event) => origins.push(event.origin)
    const first = await final.open()
    first.send('data: x\n\n')
    await until(() => origins.length === 1, 'the message')
    expect(origins).toEqual([ORIGIN])
    expect(source.url).toBe(STREAM_URL) // [spec] url is the URL as constructed
    first.end()
    await flush()
    await vi.advanceTimersByTimeAsync(100)
    const second = await final.next()
    expect(second.url.href).toBe(`${ORIGIN}/moved`)
    expect(second.request.headers.get('authorization')).toBe('Bearer secret')
    expect(redirected).toBe(1)
  })
})

describe('[ext] status-aware retry', () => {
  it.each([408, 429, 500, 502, 503, 504])('retries a %i with backoff', async (status) => {
    useFakeClock()
    const stream = mockStream()
    const source = openSource({retryDelay: 1000})
    const log = record(source)
    ;(await stream.next()).respond({status, body: 'busy'})
    await until(() => log.length === 2, 'error and reconnecting')
    expect(log).toEqual([`error:0:http-status`, 'reconnecting:1:1000'])
    await vi.advanceTimersByTimeAsync(1000)
    await stream.open()
    await until(() => log.length === 3, 'open')
    expect(source.readyState).toBe(EventSource.OPEN)
  })

  it('restores the exact spec behaviour with retryStatuses: []', async () => {
    const stream = mockStream()
    const source = openSource({retryStatuses: []})
    const log = record(source)
    ;(await stream.next()).respond({status: 502, body: 'bad gateway'})
    await until(() => log.length === 1, 'the error')
    expect(log).toEqual(['error:2:http-status'])
  })

  it('keeps the origin of the stream URL for same-origin streams', async () => {
    const stream = mockStream()
    const source = openSource()
    const origins: string[] = []
    source.onmessage = (event) => origins.push(event.origin)
    ;(await stream.open()).send('data: x\n\n')
    await until(() => origins.length === 1, 'the message')
    expect(origins).toEqual([ORIGIN])
  })
})

describe('the decision rests on the status and headers: a silent error body neither holds nor changes it', () => {
  /** A fetch whose response has the given head and a body that never sends a byte (its cancel is recorded). */
  function silentBody(status: number, headers: Record<string, string>) {
    const cancelled: unknown[] = []
    const fetch = vi.fn(
      async () =>
        new Response(new ReadableStream({cancel: (reason) => void cancelled.push(reason)}), {status, headers}),
    )
    return {fetch, cancelled}
  }

  it('a 401 with a silent body fails for good even with the watchdog off', async () => {
    useFakeClock()
    const {fetch, cancelled} = silentBody(401, {'content-type': 'application/json'})
    const source = openSource({fetch, idleTimeout: 0})
    const log = record(source)
    await vi.advanceTimersByTimeAsync(100) // the excerpt's wait, then the decision without it
    expect(log).toEqual(['error:2:http-status'])
    expect(cancelled).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('a 503 with Retry-After and a silent body keeps its Retry-After, and is not an idle timeout', async () => {
    useFakeClock()
    const {fetch} = silentBody(503, {'retry-after': '30'})
    const source = openSource({fetch, idleTimeout: 50})
    const errors: Array<string | undefined> = []
    const delays: number[] = []
    source.addEventListener('error', (event) => errors.push(event.error?.code))
    source.addEventListener('reconnecting', (event) => delays.push(event.delay!))
    await vi.advanceTimersByTimeAsync(100)
    expect(errors).toEqual(['http-status'])
    expect(delays).toEqual([30_000])
  })

  it('a 200 of another content type with a silent body fails as content-type', async () => {
    useFakeClock()
    const {fetch} = silentBody(200, {'content-type': 'text/html'})
    const source = openSource({fetch, idleTimeout: 0})
    const log = record(source)
    await vi.advanceTimersByTimeAsync(100)
    expect(log).toEqual(['error:2:content-type'])
  })

  it('a body that has started is still quoted in the error', async () => {
    const fetch = async (): Promise<Response> => new Response('{"error":"expired"}', {status: 401})
    const source = openSource({fetch})
    let body: string | undefined
    source.addEventListener('error', (event) => (body = event.error?.body))
    await until(() => body !== undefined, 'the error')
    expect(body).toBe('{"error":"expired"}')
  })
})

describe('a custom fetch that returns no usable response fails once, clearly', () => {
  it.each([
    [
      'a 200 event stream without a body',
      async () => new Response(null, {headers: {'content-type': 'text/event-stream'}}),
    ],
    [
      'a 200 whose body is not a ReadableStream',
      async () =>
        Object.defineProperty(new Response(null, {headers: {'content-type': 'text/event-stream'}}), 'body', {
          value: 'data: x\n\n',
        }),
    ],
    ['something that is not a Response', async () => ({ok: true}) as unknown as Response],
    ['undefined', async () => undefined as unknown as Response],
  ])('%s: invalid-response, CLOSED, never retried (not even by shouldRetry)', async (_name, respond) => {
    useFakeClock()
    const fetch = vi.fn(respond)
    const source = openSource({fetch, shouldRetry: () => true})
    const log = record(source)
    await until(() => log.length === 1, 'the error')
    expect(log).toEqual(['error:2:invalid-response'])
    await vi.advanceTimersByTimeAsync(60_000)
    expect(fetch).toHaveBeenCalledTimes(1)
  })
})
