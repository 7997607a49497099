import {http} from 'msw'
import {setupServer} from 'msw/node'
import {afterAll, afterEach, beforeAll, beforeEach, vi} from 'vitest'
import {EventSource} from '../src/index'
import type {Environment, HoldfastEventSourceInit} from '../src/index'

/** The base URL every test stream lives under (msw intercepts it; nothing listens there). */
export const ORIGIN = 'http://sse.test'
export const STREAM_URL = `${ORIGIN}/stream`

/** One request the mock server received, with a response the test drives step by step. */
export interface MockConnection {
  request: Request
  url: URL
  /** Sends the response head. Defaults: 200 and `text/event-stream`. The body stays open until `end` or `fail`. */
  respond(init?: {status?: number; headers?: Record<string, string>; body?: string}): void
  /** Sends body bytes: a string is UTF-8 encoded. */
  send(chunk: string | Uint8Array): void
  /** Ends the body cleanly (the server closed the stream). */
  end(): void
  /** Errors the body (the network dropped). */
  fail(error?: Error): void
  /** Answers with a network error instead of a response: fetch rejects (refused, offline, DNS). */
  refuse(): void
  /** True once the client aborted the request. */
  readonly aborted: boolean
}

const encoder = new TextEncoder()
const server = setupServer()

/** Adds handlers to the one msw server of the file (msw must not run twice: interceptors would clash). */
export function useHandlers(...handlers: Parameters<typeof server.use>): void {
  server.use(...handlers)
}

/** Starts msw for the file; each test calls `mockStream()` for a fresh route. */
export function useMockServer(): void {
  beforeAll(() => server.listen({onUnhandledRequest: 'error'}))
  afterEach(() => {
    server.resetHandlers()
    vi.useRealTimers()
  })
  afterAll(() => server.close())
}

/**
 * Registers a route whose every request becomes a MockConnection. `next()` waits for the next request; tests
 * drive the response from there. Bodies are tied to `request.signal`, because msw does not error an aborted
 * body on its own (see ../shared/TOOLCHAIN.md).
 */
export function mockStream(url = STREAM_URL) {
  const connections: MockConnection[] = []
  const waiting: Array<(connection: MockConnection) => void> = []

  server.use(
    http.all(url, ({request}) => {
      return new Promise<Response>((resolve) => {
        let controller!: ReadableStreamDefaultController<Uint8Array>
        let finished = false
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            controller = c
          },
          cancel() {
            finished = true
          },
        })
        request.signal.addEventListener('abort', () => {
          if (finished) return
          finished = true
          controller.error(new DOMException('The client aborted the request', 'AbortError'))
        })
        const connection: MockConnection = {
          request,
          url: new URL(request.url),
          respond(init = {}) {
            const headers = {'content-type': 'text/event-stream', ...init.headers}
            if (init.body !== undefined) {
              resolve(new Response(init.body, {status: init.status ?? 200, headers}))
              return
            }
            const status = init.status ?? 200
            resolve(new Response(status === 204 ? null : body, {status, headers}))
          },
          send(chunk) {
            if (!finished) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk)
          },
          end() {
            if (finished) return
            finished = true
            controller.close()
          },
          fail(error = new TypeError('network connection lost')) {
            if (finished) return
            finished = true
            controller.error(error)
          },
          refuse() {
            finished = true
            resolve(Response.error())
          },
          get aborted() {
            return request.signal.aborted
          },
        }
        connections.push(connection)
        const waiter = waiting.shift()
        if (waiter) waiter(connection)
      })
    }),
  )

  let taken = 0
  return {
    connections,
    /** The next request, in arrival order (resolves at once if it already arrived). */
    next(): Promise<MockConnection> {
      const ready = connections[taken]
      if (ready) {
        taken++
        return Promise.resolve(ready)
      }
      return new Promise((resolve) => {
        waiting.push((connection) => {
          taken++
          resolve(connection)
        })
      })
    },
    /** The next request, answered with 200 and an open event stream. */
    async open(init?: {headers?: Record<string, string>}): Promise<MockConnection> {
      const connection = await this.next()
      connection.respond(init)
      return connection
    },
  }
}

/** Records everything an EventSource fires, in order, as compact strings. */
export function record(source: EventSource, types: string[] = []) {
  const log: string[] = []
  source.addEventListener('open', () => log.push(`open:${source.readyState}`))
  source.addEventListener('error', (event) => log.push(`error:${source.readyState}:${event.error?.code}`))
  source.addEventListener('reconnecting', (event) => log.push(`reconnecting:${event.attempt}:${event.delay}`))
  source.addEventListener('message', (event) => log.push(`message:${event.data}`))
  for (const type of types) source.addEventListener(type, (event) => log.push(`${type}:${event.data}`))
  return log
}

/** Creates an EventSource that is closed after the test, with jitter off unless asked for. */
const created: EventSource[] = []
export function openSource(init: HoldfastEventSourceInit = {}, url: string | URL = STREAM_URL): EventSource {
  const source = new EventSource(url, {jitter: 0, environment: onlineEnvironment(), ...init})
  created.push(source)
  return source
}
afterEach(() => {
  for (const source of created.splice(0)) source.close()
})

/** An Environment the test controls: flip `online` / `hidden`, then `notify()`. */
export function controlledEnvironment(initial: {online?: boolean; hidden?: boolean} = {}) {
  const listeners = new Set<() => void>()
  const state = {online: initial.online ?? true, hidden: initial.hidden ?? false}
  const environment: Environment & {listeners: Set<() => void>; set(change: Partial<typeof state>): void} = {
    listeners,
    isOnline: () => state.online,
    isHidden: () => state.hidden,
    subscribe(onChange) {
      listeners.add(onChange)
      return () => listeners.delete(onChange)
    },
    set(change) {
      Object.assign(state, change)
      for (const listener of [...listeners]) listener()
    },
  }
  return environment
}

function onlineEnvironment(): Environment {
  return {isOnline: () => true, isHidden: () => false, subscribe: () => () => {}}
}

/** Lets pending promise callbacks (fetch, reads, dispatch) run, without advancing any timer. */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => queueMicrotask(resolve))
  await new Promise<void>((resolve) => setImmediate(resolve))
}

/** Waits, by flushing, until `predicate` holds; fails with `what` instead of hanging. */
export async function until(predicate: () => boolean, what: string, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (predicate()) return
    await flush(5)
  }
  throw new Error(`Timed out waiting until ${what}`)
}

/** Fake timers for everything time-based in the client (setTimeout, Date, performance), never setImmediate. */
export function useFakeClock(): void {
  vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance']})
}

/** Serves `chunks` as one complete response body through an injected fetch (no msw), for parser-level tests. */
export function chunkedFetch(chunks: Array<string | Uint8Array>, headers: Record<string, string> = {}): typeof fetch {
  return async () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk)
          controller.close()
        },
      }),
      {headers: {'content-type': 'text/event-stream', ...headers}},
    )
}

/**
 * Everything one response body delivers: the messages of the given types, until the body ends. The source is
 * closed at the end of the body, so nothing reconnects.
 */
export async function deliver(
  chunks: Array<string | Uint8Array>,
  types: string[] = [],
): Promise<Array<{type: string; data: string; lastEventId: string}>> {
  const events: Array<{type: string; data: string; lastEventId: string}> = []
  const source = openSource({fetch: chunkedFetch(chunks), retryDelay: 60_000})
  const collect = (event: MessageEvent): void => {
    events.push({type: event.type, data: event.data, lastEventId: event.lastEventId})
  }
  for (const type of ['message', ...types]) source.addEventListener(type, collect)
  let ended = false
  source.addEventListener('error', () => {
    ended = true
    source.close()
  })
  await until(() => ended, 'the body ends')
  return events
}

/**
 * Captures what the platform reports for a listener that throws: Node reports an exception thrown by an EventTarget
 * listener (or a subscriber) as an uncaught exception on a later tick, where browsers report it to window.onerror.
 * The suite's tests get the reports in the returned array instead of the runner seeing them.
 */
export function captureUncaughtExceptions(): unknown[] {
  const reported: unknown[] = []
  let saved: NodeJS.UncaughtExceptionListener[] = []
  beforeEach(() => {
    reported.length = 0
    saved = process.listeners('uncaughtException')
    process.removeAllListeners('uncaughtException')
    process.on('uncaughtException', (error) => reported.push(error))
  })
  afterEach(() => {
    process.removeAllListeners('uncaughtException')
    for (const listener of saved) process.on('uncaughtException', listener)
  })
  return reported
}
