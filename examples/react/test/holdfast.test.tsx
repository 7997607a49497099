// Every part of Holdfast in this test environment (jsdom or happy-dom: see vitest.config.ts) against msw's sse(): the
// polyfill's global EventSource, its events and errors, the release of every request, subscribe, iteration,
// SharedEventSource and its hook (solo here: neither emulation has Web Locks), and the idle watchdog under fake timers.
import {EventSource, type HoldfastError} from '@holdfast/client'
import {events} from '@holdfast/client/iterate'
import {SharedEventSource} from '@holdfast/client/shared'
import {useSharedEventSource} from '@holdfast/react/shared'
import {renderHook, waitFor} from '@testing-library/react'
import {sse, type PathParams, type ServerSentEventResolverExtras} from 'msw'
import {afterEach, expect, it, vi} from 'vitest'
import {server} from './server'

const FEED = 'http://api.test/feed'

/** The events the mock server sends, typed for msw's `client.send()`. */
type Feed = {message: string; price: unknown}
interface Connection {
  request: Request
  client: ServerSentEventResolverExtras<Feed, PathParams>['client']
}

/** An sse() handler that keeps every connection, for the test to send through and to check the request of. */
function mockFeed(): Connection[] {
  const connections: Connection[] = []
  server.use(sse<Feed>(FEED, ({client, request}) => void connections.push({client, request})))
  return connections
}

const opened: Array<{close(): void}> = []
function open<T extends {close(): void}>(source: T): T {
  opened.push(source)
  return source
}
/** Waits until `assertion` passes. The bound is for a failure on a busy machine, not an expectation of speed. */
const eventually = (assertion: () => void) => vi.waitFor(assertion, {timeout: 10_000, interval: 5})

/** Under fake timers: fetching and reading take promise turns, not time; let them run without moving the clock. */
async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0)
}

afterEach(() => {
  for (const source of opened.splice(0)) source.close()
  vi.useRealTimers()
})

it('the polyfill installs Holdfast as the global EventSource, which sse() needs; there was no native one', async () => {
  expect(globalThis.EventSource).toBe(EventSource)
  expect(globalThis.NativeEventSource).toBeUndefined()
  const connections = mockFeed()
  const source = open(new globalThis.EventSource(FEED))
  const received: string[] = []
  source.onmessage = (event) => received.push(event.data)
  await eventually(() => expect(source.readyState).toBe(EventSource.OPEN))
  connections[0]!.client.send({data: 'hello'})
  await eventually(() => expect(received).toEqual(['hello']))
})

it('delivers messages and named events as MessageEvents with their data, last event id and origin', async () => {
  const connections = mockFeed()
  const source = open(new EventSource(FEED))
  const received: MessageEvent[] = []
  source.addEventListener('message', (event) => received.push(event))
  source.addEventListener('price', (event) => received.push(event))
  await eventually(() => expect(connections).toHaveLength(1))
  connections[0]!.client.send({id: '1', data: 'hello'})
  connections[0]!.client.send({id: '2', event: 'price', data: {symbol: 'AAPL', price: 187.2}})
  await eventually(() => expect(received).toHaveLength(2))
  expect(received.every((event) => event instanceof MessageEvent)).toBe(true)
  expect(received.map(({type, data, lastEventId, origin}) => [type, data, lastEventId, origin])).toEqual([
    ['message', 'hello', '1', 'http://api.test'],
    ['price', '{"symbol":"AAPL","price":187.2}', '2', 'http://api.test'],
  ])
})

it('reports a drop as an error, then reconnects with Last-Event-ID', async () => {
  const connections = mockFeed()
  const source = open(new EventSource(FEED, {retryDelay: 10}))
  const errors: Array<[HoldfastError | undefined, number]> = []
  source.onerror = (event) => errors.push([event.error, source.readyState])
  await eventually(() => expect(connections).toHaveLength(1))
  connections[0]!.client.send({id: '7', data: 'hello'})
  await eventually(() => expect(source.lastEventId).toBe('7'))
  connections[0]!.client.error()
  await eventually(() => expect(connections).toHaveLength(2))
  expect(errors.map(([error, readyState]) => [error?.code, readyState])).toEqual([['network', EventSource.CONNECTING]])
  expect(errors[0]![0]!.message).toBe(`The connection to ${FEED} failed mid-stream: no reason given`)
  expect(connections.map(({request}) => request.headers.get('last-event-id'))).toEqual([null, '7'])
})

it('reports a stream the server ended as stream-ended, and reconnects after the retry: the server sent', async () => {
  vi.useFakeTimers()
  const connections = mockFeed()
  const source = open(new EventSource(FEED, {jitter: 0}))
  const log: string[] = []
  source.onerror = (event) => log.push(`error ${event.error?.code}`)
  source.addEventListener('reconnecting', (event) => log.push(`reconnecting in ${event.delay} ms`))
  await settle()
  connections[0]!.client.send({retry: 250})
  connections[0]!.client.send({id: '1', data: 'hello'})
  connections[0]!.client.close()
  await settle()
  expect(log).toEqual(['error stream-ended', 'reconnecting in 250 ms'])
  await vi.advanceTimersByTimeAsync(249)
  expect(connections).toHaveLength(1)
  await vi.advanceTimersByTimeAsync(1)
  expect(connections.map(({request}) => request.headers.get('last-event-id'))).toEqual([null, '1'])
})

it('close() aborts the request: the handler sees its signal fire', async () => {
  const connections = mockFeed()
  const source = open(new EventSource(FEED))
  await eventually(() => expect(source.readyState).toBe(EventSource.OPEN))
  source.close()
  await eventually(() => expect(connections[0]!.request.signal.aborted).toBe(true))
  expect(source.readyState).toBe(EventSource.CLOSED)
})

it('subscribe() hands plain messages of the types asked for to a callback', async () => {
  const connections = mockFeed()
  const source = open(new EventSource(FEED))
  const received: string[] = []
  source.subscribe(({type, data}) => received.push(`${type} ${data}`), {types: ['price']})
  await eventually(() => expect(connections).toHaveLength(1))
  connections[0]!.client.send({data: 'not this one'})
  connections[0]!.client.send({event: 'price', data: '187.2'})
  await eventually(() => expect(received).toEqual(['price 187.2']))
})

it('iterates a stream with for await, and the loop ends when the source closes', async () => {
  const connections = mockFeed()
  const source = open(new EventSource(FEED))
  await eventually(() => expect(connections).toHaveLength(1))
  for (const data of ['a', 'b', 'c']) connections[0]!.client.send({data})
  const received: string[] = []
  for await (const message of events(source)) {
    received.push(message.data)
    if (received.length === 3) source.close()
  }
  expect(received).toEqual(['a', 'b', 'c'])
  await eventually(() => expect(connections[0]!.request.signal.aborted).toBe(true))
})

it('SharedEventSource runs solo here (no Web Locks): a connection of its own, as EventSource', async () => {
  const {locks} = navigator as {locks?: unknown}
  expect(locks ?? null).toBeNull() // jsdom has none, happy-dom has null
  const connections = mockFeed()
  const source = open(new SharedEventSource(FEED))
  const received: string[] = []
  source.onmessage = (event) => received.push(event.data)
  await eventually(() => expect(connections).toHaveLength(1))
  expect(source.role).toBe('solo')
  connections[0]!.client.send({data: 'hello'})
  await eventually(() => expect(received).toEqual(['hello']))
  source.close()
  await eventually(() => expect(connections[0]!.request.signal.aborted).toBe(true))
})

it('useSharedEventSource works here as useEventSource does (its source runs solo)', async () => {
  const connections = mockFeed()
  const {result} = renderHook(() => useSharedEventSource(FEED, {shareKey: 'user-1'}))
  await waitFor(() => expect(result.current.status).toBe('open'))
  connections[0]!.client.send({id: '1', data: 'hello'})
  await waitFor(() => expect(result.current.data).toBe('hello'))
  expect(result.current.lastEventId).toBe('1')
  expect(connections).toHaveLength(1)
})

it('drops a silent stream after idleTimeout under fake timers, aborts its request and reconnects', async () => {
  vi.useFakeTimers()
  const connections = mockFeed()
  const source = open(new EventSource(FEED, {idleTimeout: 30_000, retryDelay: 1_000, jitter: 0}))
  const log: string[] = []
  source.onerror = (event) => log.push(`error ${event.error?.code}`)
  source.addEventListener('reconnecting', (event) => log.push(`reconnecting in ${event.delay} ms`))
  await settle()
  expect(source.readyState).toBe(EventSource.OPEN)
  await vi.advanceTimersByTimeAsync(29_999)
  expect(log).toEqual([])
  await vi.advanceTimersByTimeAsync(1)
  expect(log).toEqual(['error idle-timeout', 'reconnecting in 1000 ms'])
  await settle()
  expect(connections[0]!.request.signal.aborted).toBe(true)
  await vi.advanceTimersByTimeAsync(1_000)
  await settle()
  expect(connections).toHaveLength(2)
  expect(source.readyState).toBe(EventSource.OPEN)
})
