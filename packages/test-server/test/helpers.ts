import type {ChildProcess} from 'node:child_process'
import type {Readable} from 'node:stream'
import {Agent, request, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage} from 'node:http'
import {StringDecoder} from 'node:string_decoder'
import {setImmediate as nextTurn} from 'node:timers/promises'
import {afterEach, vi} from 'vitest'
import {createTestServer} from '../src/index.js'
import type {LogEntry, TestServer, TestServerOptions} from '../src/index.js'

const servers = new Set<TestServer>()
const clients = new Set<TestClient>()

afterEach(async () => {
  vi.useRealTimers()
  for (const client of clients) client.close()
  clients.clear()
  await Promise.all([...servers].map((server) => server.close({timeoutMs: 1000})))
  servers.clear()
})

/** A server on a free loopback port, closed after the test; its log entries are collected instead of printed. */
export async function startServer(options: TestServerOptions = {}): Promise<{server: TestServer; logs: LogEntry[]}> {
  const logs: LogEntry[] = []
  const server = await createTestServer({logger: (entry) => logs.push(entry), ...options})
  servers.add(server)
  return {server, logs}
}

/**
 * Only the timers the server itself uses are faked; sockets, `setImmediate` and microtasks stay real, so I/O flows
 * while time stands still until the test advances it.
 */
export function useFakeTime(): void {
  vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date']})
}

/** One event as a spec-following parser would dispatch it (enough of the WHATWG algorithm for assertions). */
export interface ParsedEvent {
  id: string | undefined
  event: string
  data: string
}

/**
 * A text/event-stream parser fed chunk by chunk (enough of the WHATWG algorithm for assertions): it only looks at
 * new complete lines, so a test can wait for thousands of events without re-parsing the whole body each time.
 */
export class EventParser {
  readonly events: ParsedEvent[] = []
  #pending = ''
  #data: string[] = []
  #event = ''
  #id: string | undefined

  push(text: string): void {
    const lines = (this.#pending + text).split(/\r\n|\n|\r(?!$)/)
    this.#pending = lines.pop() ?? ''
    for (const line of lines) this.#line(line)
  }

  #line(line: string): void {
    if (line === '') {
      if (this.#data.length > 0)
        this.events.push({id: this.#id, event: this.#event || 'message', data: this.#data.join('\n')})
      this.#data = []
      this.#event = ''
      this.#id = undefined
      return
    }
    if (line.startsWith(':')) return
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'data') this.#data.push(value)
    else if (field === 'event') this.#event = value
    else if (field === 'id' && !value.includes('\0')) this.#id = value
  }
}

/** Parses a whole text/event-stream body into the events it dispatches. */
export function parseEvents(text: string): ParsedEvent[] {
  const parser = new EventParser()
  parser.push(text)
  return parser.events
}

/** How a response ended: cleanly (`end`), or with the connection torn down (`aborted`). */
export type Ending = 'end' | 'aborted'

/**
 * A raw HTTP client for streams (node:http, no agent): it records every body byte, and tests await what the
 * server sends instead of sleeping.
 */
export class TestClient {
  readonly response: Promise<IncomingMessage>
  /** Resolves when the response ends or the connection goes; never rejects. */
  readonly ended: Promise<Ending>
  /** Resolves once the client's socket is closed. */
  readonly socketClosed: Promise<void>
  text = ''
  chunks: Buffer[] = []
  #req: ClientRequest
  #res: IncomingMessage | undefined
  #checks = new Set<() => void>()
  #parser = new EventParser()
  #decoder = new StringDecoder('utf8')
  #ending: Ending | undefined

  /**
   * `keepAlive` uses an agent that keeps the socket for another request, like a browser (default: one socket per
   * request, `Connection: close`); `agent` shares one across clients (consecutive long polls).
   */
  constructor(
    url: string,
    init: {method?: string; headers?: Record<string, string>; body?: string; keepAlive?: boolean; agent?: Agent} = {},
  ) {
    let settle!: (ending: Ending) => void
    this.ended = new Promise((resolve) => (settle = resolve))
    const finish = (ending: Ending): void => {
      if (this.#ending) return
      this.#ending = ending
      settle(ending)
      for (const check of this.#checks) check()
    }
    const agent = init.agent ?? (init.keepAlive ? new Agent({keepAlive: true, maxSockets: 1}) : false)
    const req = request(url, {method: init.method ?? 'GET', headers: init.headers, agent})
    this.#req = req
    this.socketClosed = new Promise((resolve) => req.on('socket', (socket) => socket.once('close', () => resolve())))
    this.response = new Promise((resolve, reject) => {
      req.on('response', (res) => {
        this.#res = res
        res.on('data', (chunk: Buffer) => {
          this.chunks.push(chunk)
          this.text += chunk.toString('latin1')
          this.#parser.push(this.#decoder.write(chunk))
          for (const check of this.#checks) check()
        })
        res.on('end', () => finish('end'))
        res.on('error', () => finish('aborted'))
        res.on('close', () => finish(res.complete ? 'end' : 'aborted'))
        resolve(res)
      })
      req.on('error', (error) => {
        finish('aborted')
        reject(error)
      })
      // A paused response emits nothing more, but the request still hears its socket go.
      req.on('close', () => finish(this.#res?.complete ? 'end' : 'aborted'))
    })
    // A refused request rejects `response`; tests that expect it await `ended` instead.
    this.response.catch(() => {})
    req.end(init.body)
    clients.add(this)
  }

  get status(): Promise<number> {
    return this.response.then((res) => res.statusCode ?? 0)
  }

  get headers(): Promise<IncomingHttpHeaders> {
    return this.response.then((res) => res.headers)
  }

  /** The body as UTF-8 (`text` holds it byte for byte, as latin1). */
  get utf8(): string {
    return Buffer.concat(this.chunks).toString('utf8')
  }

  events(): ParsedEvent[] {
    return [...this.#parser.events]
  }

  /** Resolves once `predicate(text)` holds; rejects if the response ends first. */
  waitFor(predicate: (text: string) => boolean, what = 'the expected bytes'): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (predicate(this.text)) {
          this.#checks.delete(check)
          resolve(this.text)
        } else if (this.#ending) {
          this.#checks.delete(check)
          reject(
            new Error(`The response ended (${this.#ending}) before ${what}; received: ${JSON.stringify(this.text)}`),
          )
        }
      }
      this.#checks.add(check)
      check()
    })
  }

  waitForText(text: string): Promise<string> {
    return this.waitFor((all) => all.includes(text), JSON.stringify(text))
  }

  /** Resolves with the events once at least `count` were dispatched. */
  async waitForEvents(count: number): Promise<ParsedEvent[]> {
    await this.waitFor(() => this.#parser.events.length >= count, `${count} events`)
    return this.events()
  }

  pause(): void {
    this.#res?.pause()
  }

  resume(): void {
    this.#res?.resume()
  }

  /** Tears the connection down (before or after the response arrived). */
  close(): void {
    this.#req.destroy()
  }
}

/** Opens a stream request. */
export function connect(url: string, init?: ConstructorParameters<typeof TestClient>[1]): TestClient {
  return new TestClient(url, init)
}

/** A parsed JSON body: tests read whatever fields they assert on. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any

/** A JSON request to the server; resolves with the status and the parsed body. */
export async function call(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{status: number; body: Json; headers: Headers}> {
  const response = await fetch(new URL(path, server.url), {
    method,
    headers: {...(body === undefined ? {} : {'Content-Type': 'application/json'}), ...headers},
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // not JSON: keep the text
  }
  return {status: response.status, body: parsed, headers: response.headers}
}

/** Lets pending I/O callbacks run: for loops that push data until the server reports a state. */
export function ioTurn(): Promise<void> {
  return nextTurn()
}

/** Every server option the CLI has a flag for but `token`, set to a value other than its default. */
export const CLI_OPTIONS = {
  port: 8787,
  host: '127.0.0.1',
  heartbeatMs: 500,
  retryMs: false,
  replayLimit: 50,
  static: {'/app': './dist', '/': 'public'},
  ticker: [{channel: 'clock', intervalMs: 250}, {channel: 'news'}],
  cors: {origins: ['http://localhost:5173'], headers: ['Last-Event-ID', 'X-Api-Key']},
  maxQueuedBytes: 4096,
  shutdownTimeoutMs: 100,
} satisfies TestServerOptions

/** The URL a CLI process prints once it listens (rejects if it exits first); `output()` is its stdout so far. */
export function listeningUrl(child: ChildProcess & {stdout: Readable}): {url: Promise<string>; output(): string} {
  let stdout = ''
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      const match = /listening on (http:\/\/\S+)/.exec(stdout)
      if (match?.[1]) resolve(match[1])
    })
    child.once('exit', (code) => reject(new Error(`exited with ${code} before listening: ${stdout}`)))
  })
  return {url, output: () => stdout}
}

/** Active libuv resources by kind (`TCPSocketWrap`, `Timeout`…). */
export function handles(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  return counts
}

/**
 * The handles once libuv has run the close callbacks of sockets that already emitted 'close' (one or two loop
 * turns; no time passes). Gives up after 20 turns, so a leak still fails the assertion that follows.
 */
export async function settledHandles(
  kinds: string[],
  expected: Record<string, number>,
): Promise<Record<string, number>> {
  for (let turn = 0; turn < 20; turn++) {
    const now = handles()
    if (kinds.every((kind) => (now[kind] ?? 0) <= (expected[kind] ?? 0))) return now
    await ioTurn()
  }
  return handles()
}
