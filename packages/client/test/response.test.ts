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

  it('follows redirects; origin is the final one and reconnections go to the final URL', async () => {
    useFakeClock()
    const final = mockStream('http://final.test/stream')
    let redirected = 0
    useHandlers(
      http.get(STREAM_URL, () => {
        redirected++
        return new Response(null, {status: 307, headers: {location: 'http://final.test/stream'}})
      }),
    )
    const source = openSource({retryDelay: 100})
    const origins: string[] = []
    source.onmessage = (event) => origins.push(event.origin)
    const first = await final.open()
    first.send('data: x\n\n')
    await until(() => origins.length === 1, 'the message')
    expect(origins).toEqual(['http://final.test'])
    expect(source.url).toBe(STREAM_URL) // [spec] url is the URL as constructed
    first.end()
    await flush()
    await vi.advanceTimersByTimeAsync(100)
    expect((await final.next()).url.href).toBe('http://final.test/stream')
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
