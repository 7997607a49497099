// Redirects through msw: how many requests each attempt makes, and where reconnections go. The same matrix against
// real servers and Node's own fetch is in redirect-node.test.ts; in Chromium, beside the native EventSource, in
// e2e/tests/redirects.spec.ts.
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

const SAME = `${ORIGIN}/moved`
const OTHER_ORIGIN = 'http://elsewhere.test'
const OTHER = `${OTHER_ORIGIN}/moved`

/**
 * Answers the named URL (STREAM_URL) with `status` and `Location: location` for its first `times` requests, then
 * with 410 Gone; returns the headers of the requests it received, as they arrived (msw's redirect emulation deletes
 * Authorization from the request object before the next hop).
 */
function redirectNamed(status: number, location: string, times = Infinity): Headers[] {
  const requests: Headers[] = []
  useHandlers(
    http.all(STREAM_URL, ({request}) => {
      requests.push(new Headers(request.headers))
      if (requests.length > times) return new Response('gone', {status: 410})
      return new Response(null, {status, headers: {location}})
    }),
  )
  return requests
}

/** A `fetch` option that hands every call to the platform's fetch (msw's), recording what each call was asked. */
function countingFetch() {
  const calls: Array<{url: string; redirect: RequestRedirect | undefined}> = []
  const fetch = vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({url: String(input), redirect: init?.redirect})
    return globalThis.fetch(input, init)
  })
  return {fetch, calls}
}

/** Opens a source whose every message's origin is recorded. */
function openRecorded(init: Parameters<typeof openSource>[0]) {
  const source = openSource({retryDelay: 100, ...init})
  const origins: string[] = []
  source.addEventListener('message', (event) => origins.push(event.origin))
  return {source, origins}
}

/** Sends event `id` on `connection` and waits until the source has it. */
async function deliver(source: EventSource, connection: {send(chunk: string): void}, id: string): Promise<void> {
  connection.send(`id: ${id}\ndata: ${id}\n\n`)
  await until(() => source.lastEventId === id, `event ${id}`)
}

/** Ends the stream and lets the 100 ms reconnection time pass. */
async function endAndWait(connection: {end(): void}): Promise<void> {
  connection.end()
  await flush()
  await vi.advanceTimersByTimeAsync(100)
}

const headers = {authorization: 'Bearer secret', 'x-api-key': 'key'}

describe('[spec] redirects: fetch follows them, one call per attempt and one request per hop', () => {
  for (const status of [301, 302, 303, 307, 308]) {
    it(`a ${status} to the same origin: the reconnection goes straight to the final URL, with the headers`, async () => {
      useFakeClock()
      const named = redirectNamed(status, SAME)
      const final = mockStream(SAME)
      const {fetch, calls} = countingFetch()
      const {source, origins} = openRecorded({fetch, headers})
      const first = await final.open()
      await deliver(source, first, '1')
      await endAndWait(first)
      await deliver(source, await final.open(), '2')

      // One fetch call per attempt, left to follow its redirects; the server saw one request per hop.
      expect(calls).toEqual([
        {url: STREAM_URL, redirect: undefined},
        {url: SAME, redirect: undefined},
      ])
      expect(named).toHaveLength(1)
      expect(final.connections.map(({request}) => request.headers.get('authorization'))).toEqual([
        'Bearer secret',
        'Bearer secret',
      ])
      expect(final.connections.map(({request}) => request.headers.get('last-event-id'))).toEqual([null, '1'])
      expect(origins).toEqual([ORIGIN, ORIGIN])
      expect(source.url).toBe(STREAM_URL) // [spec] the URL as constructed
    })

    it(`a ${status} to another origin: [ext] the reconnection goes through the named URL again`, async () => {
      useFakeClock()
      const named = redirectNamed(status, OTHER)
      const final = mockStream(OTHER)
      const {fetch, calls} = countingFetch()
      const {source, origins} = openRecorded({fetch, headers})
      const first = await final.open()
      await deliver(source, first, '1')
      await endAndWait(first)
      await deliver(source, await final.open(), '2')

      expect(calls).toEqual([
        {url: STREAM_URL, redirect: undefined},
        {url: STREAM_URL, redirect: undefined},
      ])
      expect(named.map((request) => request.get('authorization'))).toEqual(['Bearer secret', 'Bearer secret'])
      // fetch drops Authorization on the hop; the other header travels as fetch carries it (see the README).
      expect(final.connections.map(({request}) => request.headers.get('authorization'))).toEqual([null, null])
      expect(final.connections.map(({request}) => request.headers.get('x-api-key'))).toEqual(['key', 'key'])
      expect(final.connections.map(({request}) => request.headers.get('last-event-id'))).toEqual([null, '1'])
      expect(origins).toEqual([OTHER_ORIGIN, OTHER_ORIGIN])
      expect(source.url).toBe(STREAM_URL)
    })
  }

  it('a redirect that answers once, then 410: the stream opens on the one request it answered', async () => {
    useFakeClock()
    const named = redirectNamed(307, SAME, 1)
    const final = mockStream(SAME)
    const {source} = openRecorded({})
    const log = record(source)
    const first = await final.open()
    await deliver(source, first, '1')
    await endAndWait(first)
    await deliver(source, await final.open(), '2')
    expect(named).toHaveLength(1)
    expect(log).toEqual(['open:1', 'message:1', 'error:0:stream-ended', 'reconnecting:1:100', 'open:1', 'message:2'])
  })

  it('a once-only redirect to another origin: the reconnection through the named URL meets its 410 and closes', async () => {
    useFakeClock()
    const named = redirectNamed(307, OTHER, 1)
    const final = mockStream(OTHER)
    const {source} = openRecorded({})
    const log = record(source)
    const first = await final.open()
    await deliver(source, first, '1')
    await endAndWait(first)
    await until(() => source.readyState === EventSource.CLOSED, 'the 410')
    expect(named).toHaveLength(2)
    expect(final.connections).toHaveLength(1)
    expect(log).toEqual(['open:1', 'message:1', 'error:0:stream-ended', 'reconnecting:1:100', 'error:2:http-status'])
  })

  it('a custom fetch that follows redirects itself: Holdfast takes its response’s final URL', async () => {
    useFakeClock()
    const calls: string[] = []
    // A fetch that answers as one that followed a redirect to SAME (a proxy, an instrumentation layer).
    const fetch = vi.fn(async (input: RequestInfo | URL) => {
      calls.push(String(input))
      const response = new Response('id: 1\ndata: x\n\n', {headers: {'content-type': 'text/event-stream'}})
      Object.defineProperties(response, {redirected: {value: true}, url: {value: SAME}})
      return response
    })
    const {source, origins} = openRecorded({fetch})
    await until(() => calls.length === 1 && origins.length === 1, 'the first stream')
    await flush()
    await vi.advanceTimersByTimeAsync(100)
    await until(() => calls.length === 2, 'the reconnection')
    expect(calls).toEqual([STREAM_URL, SAME])
    source.close()
  })

  it('query-parameter resume behind a redirect: the final URL does not keep an id the server has reset', async () => {
    useFakeClock()
    const moved = mockStream(SAME)
    useHandlers(
      http.get(STREAM_URL, ({request}) => {
        const location = new URL(SAME)
        location.search = new URL(request.url).search
        return new Response(null, {status: 307, headers: {location: location.href}})
      }),
    )
    const source = openSource({retryDelay: 100, lastEventIdIn: 'query', lastEventId: '41'})
    const first = await moved.open()
    expect(first.url.searchParams.get('lastEventId')).toBe('41')
    first.send('id\ndata: reset\n\n') // [spec] an empty id resets the last event id
    await until(() => source.lastEventId === '', 'the reset')
    await endAndWait(first)
    const second = await moved.open()
    expect(second.url.href).toBe(SAME)
    await deliver(source, second, '42')
    await endAndWait(second)
    expect((await moved.next()).url.searchParams.getAll('lastEventId')).toEqual(['42'])
  })
})
