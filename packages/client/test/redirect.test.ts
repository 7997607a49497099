import {http} from 'msw'
import {describe, expect, it, vi} from 'vitest'
import {
  flush,
  mockStream,
  ORIGIN,
  openSource,
  STREAM_URL,
  until,
  useFakeClock,
  useHandlers,
  useMockServer,
} from './harness'

useMockServer()

/** A fetch that answers like one that followed a redirect to `finalUrl`, recording what each attempt sent. */
function redirectingFetch(finalUrl: string) {
  const calls: Array<{url: string; headers: Headers}> = []
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input)
    calls.push({url, headers: new Headers(init?.headers)})
    const response = new Response(new ReadableStream({start: (c) => c.close()}), {
      headers: {'content-type': 'text/event-stream'},
    })
    if (url.startsWith(STREAM_URL)) {
      Object.defineProperty(response, 'redirected', {value: true})
      Object.defineProperty(response, 'url', {value: finalUrl})
    }
    return response
  })
  return {fetch, calls}
}

describe('[ext] redirects never carry the caller’s headers to an origin it did not name', () => {
  it('after a cross-origin redirect, reconnects through the URL the caller named', async () => {
    useFakeClock()
    const elsewhere = mockStream('http://elsewhere.test/stream')
    useHandlers(
      http.get(
        STREAM_URL,
        () => new Response(null, {status: 307, headers: {location: 'http://elsewhere.test/stream'}}),
      ),
    )
    const requested: string[] = []
    const source = openSource({retryDelay: 100, headers: () => ({authorization: 'Bearer secret', 'x-api-key': 'k'})})
    source.addEventListener('open', () => requested.push(source.lastEventId))
    const first = await elsewhere.open()
    first.send('id: 7\ndata: x\n\n')
    await until(() => source.lastEventId === '7', 'the event')
    first.end()
    await flush()
    await vi.advanceTimersByTimeAsync(100)
    // The reconnection went through the named URL again (which redirected again): never straight to the other origin
    // with the caller's headers.
    const second = await elsewhere.next()
    expect(second.request.headers.get('x-api-key')).toBeNull()
    expect(second.request.headers.get('authorization')).toBeNull()
    expect(second.request.headers.get('last-event-id')).toBe('7')
  })

  it('through a custom fetch: the reconnection goes to the named URL with the headers, never to the final one', async () => {
    useFakeClock()
    const {fetch, calls} = redirectingFetch('http://elsewhere.test/stream')
    const source = openSource({retryDelay: 100, fetch, headers: {authorization: 'Bearer secret'}})
    await until(() => calls.length === 1, 'the first attempt')
    await flush()
    await vi.advanceTimersByTimeAsync(100)
    await until(() => calls.length === 2, 'the reconnection')
    expect(calls.map((call) => call.url)).toEqual([STREAM_URL, STREAM_URL])
    expect(calls.every((call) => call.headers.get('authorization') === 'Bearer secret')).toBe(true)
    source.close()
  })

  it('a same-origin redirect is followed on reconnection, with the headers (the spec)', async () => {
    useFakeClock()
    const {fetch, calls} = redirectingFetch(`${ORIGIN}/moved`)
    const source = openSource({retryDelay: 100, fetch, headers: {authorization: 'Bearer secret'}})
    await until(() => calls.length === 1, 'the first attempt')
    await flush()
    await vi.advanceTimersByTimeAsync(100)
    await until(() => calls.length === 2, 'the reconnection')
    expect(calls.map((call) => call.url)).toEqual([STREAM_URL, `${ORIGIN}/moved`])
    expect(calls[1]!.headers.get('authorization')).toBe('Bearer secret')
    source.close()
  })

  it('query-parameter resume behind a redirect: the final URL does not keep an id the server has reset', async () => {
    useFakeClock()
    const moved = mockStream(`${ORIGIN}/moved`)
    useHandlers(
      http.get(STREAM_URL, ({request}) => {
        const location = new URL(`${ORIGIN}/moved`)
        location.search = new URL(request.url).search
        return new Response(null, {status: 307, headers: {location: location.href}})
      }),
    )
    const source = openSource({retryDelay: 100, lastEventIdIn: 'query', lastEventId: '41'})
    const first = await moved.open()
    expect(first.url.searchParams.get('lastEventId')).toBe('41')
    first.send('id\ndata: reset\n\n') // [spec] an empty id resets the last event id
    await until(() => source.lastEventId === '', 'the reset')
    first.end()
    await flush()
    await vi.advanceTimersByTimeAsync(100)
    const second = await moved.next()
    expect(second.url.href).toBe(`${ORIGIN}/moved`)
    first.end()
    second.respond()
    second.send('id: 42\ndata: y\n\n')
    await until(() => source.lastEventId === '42', 'the next event')
    second.end()
    await flush()
    await vi.advanceTimersByTimeAsync(100)
    expect((await moved.next()).url.searchParams.getAll('lastEventId')).toEqual(['42'])
  })
})
