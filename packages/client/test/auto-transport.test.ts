import {http} from 'msw'
import {beforeEach, describe, expect, it, vi} from 'vitest'
import {EventSource, type HoldfastEventSourceInit} from '../src/index'
import {autoTransport, type AutoTransportOptions} from '../src/polling'
import {pollUrls} from '../src/polling/poll-url'
import {
  controlledEnvironment,
  flush,
  mockStream,
  openSource,
  ORIGIN,
  STREAM_URL,
  record,
  until,
  useFakeClock,
  useHandlers,
  useMockServer,
  type MockConnection,
} from './harness'

useMockServer()
beforeEach(() => useFakeClock())

const IDLE = 1000
const RETRY = 100

/**
 * A source on automatic transport (polls of 500 ms under a 1 s idle timeout), recording its events, its
 * `transportchange`s (as `transport:<to>:<from>:<reason>`) between them.
 */
function automatic(options: AutoTransportOptions = {}, init: HoldfastEventSourceInit = {}) {
  const environment = controlledEnvironment()
  const source = openSource({
    transport: autoTransport({pollTimeout: 500, ...options}),
    idleTimeout: IDLE,
    retryDelay: RETRY,
    maxRetryDelay: 400,
    environment,
    ...init,
  })
  const log = record(source)
  source.addEventListener('transportchange', (event) => {
    expect(source.transport).toBe(event.transport)
    log.push(`transport:${event.transport}:${event.previous}:${event.reason}`)
  })
  return {source, log, environment}
}

/** Waits out the reconnection delay the source announced last. */
async function waitAnnounced(log: string[]): Promise<void> {
  const delay = Number(
    log
      .filter((line) => line.startsWith('reconnecting'))
      .at(-1)!
      .split(':')[2],
  )
  await vi.advanceTimersByTimeAsync(delay)
}

const isPoll = (connection: MockConnection) => connection.url.searchParams.get('transport') === 'poll'

/** A streaming attempt starved by a buffering proxy: its head arrives (or not), then nothing until the watchdog. */
async function starve(connection: MockConnection, head: boolean): Promise<void> {
  if (head) connection.respond()
  await vi.advanceTimersByTimeAsync(IDLE)
  expect(connection.aborted).toBe(true)
}

/** Answers a poll as a server with nothing to send does: it waits its pollTimeoutMs (500 ms), then ends it. */
async function endEmpty(poll: MockConnection): Promise<void> {
  expect(isPoll(poll)).toBe(true)
  poll.respond()
  await vi.advanceTimersByTimeAsync(500)
  poll.end()
}

/** Runs `count` empty polls of 500 ms each. */
async function emptyPolls(stream: ReturnType<typeof mockStream>, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await endEmpty(await stream.next())
}

/** Streams until two starved attempts switch it to polling; returns the first poll, unanswered. */
async function untilPolling(stream: ReturnType<typeof mockStream>): Promise<MockConnection> {
  await starve(await stream.next(), true)
  await vi.advanceTimersByTimeAsync(RETRY)
  await starve(await stream.next(), false)
  await vi.advanceTimersByTimeAsync(2 * RETRY)
  const poll = await stream.next()
  expect(isPoll(poll)).toBe(true)
  return poll
}

describe('[ext] autoTransport(): streams, and long-polls behind a buffering proxy', () => {
  it('streams; two starved attempts in a row switch it to long polls, announced as the first poll starts', async () => {
    const stream = mockStream()
    const {source, log} = automatic()
    expect(source.transport).toBe('stream')
    const first = await stream.next()
    expect(first.url.search).toBe('')
    await starve(first, true) // the head came through, then nothing (not even a heartbeat)
    expect(log).toEqual(['open:1', 'error:0:idle-timeout', 'reconnecting:1:100'])
    await vi.advanceTimersByTimeAsync(RETRY)
    const second = await stream.next()
    expect(second.url.search).toBe('')
    await starve(second, false) // not even the head (nginx's proxy_buffering holds it back with the body)
    expect(source.transport).toBe('stream') // the next attempt will poll; this one streamed
    await vi.advanceTimersByTimeAsync(2 * RETRY)

    const poll = await stream.next()
    expect(Object.fromEntries(poll.url.searchParams)).toEqual({transport: 'poll', pollTimeoutMs: '500'})
    expect(source.transport).toBe('poll')
    poll.respond()
    poll.send('id: 1\ndata: a\n\n')
    await flush()
    poll.end()
    const next = await stream.next()
    expect(isPoll(next)).toBe(true)
    expect(next.request.headers.get('last-event-id')).toBe('1')
    expect(log).toEqual([
      'open:1',
      'error:0:idle-timeout',
      'reconnecting:1:100',
      'error:0:idle-timeout',
      'reconnecting:2:200',
      'transport:poll:stream:buffering',
      'open:1',
      'message:a',
    ])
  })

  it('resumes its first poll from the last id a stream gave it, a cursor (an id alone) too', async () => {
    const stream = mockStream()
    const {log} = automatic()
    const through = await stream.next()
    through.respond()
    through.send('id: 4\n\n') // a server's cursor (an id alone) reached it before the path began to buffer
    await flush()
    through.fail()
    await until(() => log.some((line) => line.startsWith('reconnecting')), 'the drop')
    for (const head of [true, false]) {
      await waitAnnounced(log)
      await starve(await stream.next(), head)
    }
    await waitAnnounced(log)
    const poll = await stream.next()
    expect(isPoll(poll)).toBe(true)
    expect(poll.request.headers.get('last-event-id')).toBe('4')
  })

  it('resumes its first poll from the lastEventId option when nothing came through', async () => {
    const stream = mockStream()
    automatic({}, {lastEventId: '9'}) // the id of the state the app loaded first
    expect((await untilPolling(stream)).request.headers.get('last-event-id')).toBe('9')
  })

  it('has no Last-Event-ID for its first poll when neither an event nor a cursor came through: what was published before it is lost', async () => {
    const stream = mockStream()
    const {source} = automatic()
    const poll = await untilPolling(stream)
    expect(poll.request.headers.get('last-event-id')).toBeNull()
    expect(source.lastEventId).toBe('')
  })

  it('counts only starved attempts in a row: a byte received, from a stream or its head-less retry, resets it', async () => {
    const stream = mockStream()
    const {source, log} = automatic()
    await starve(await stream.next(), true)
    await waitAnnounced(log)
    const healthy = await stream.next()
    healthy.respond()
    healthy.send(': heartbeat\n') // a byte: this path does not buffer
    await vi.advanceTimersByTimeAsync(IDLE) // then it stalls
    await waitAnnounced(log)
    await starve(await stream.next(), true)
    await waitAnnounced(log)
    // Failures that are not idle timeouts neither count nor reset.
    ;(await stream.next()).respond({status: 503, body: ''})
    await until(() => log.at(-1)!.startsWith('reconnecting'), 'the 503 retried')
    await waitAnnounced(log)
    expect(source.transport).toBe('stream')
    expect(stream.connections.filter(isPoll)).toHaveLength(0)
    await starve(await stream.next(), true)
    await waitAnnounced(log)
    expect(isPoll(await stream.next())).toBe(true)
  })

  it('switchAfter: 1 switches after the first starved attempt', async () => {
    const stream = mockStream()
    const {source} = automatic({switchAfter: 1})
    await starve(await stream.next(), false)
    await vi.advanceTimersByTimeAsync(RETRY)
    expect(isPoll(await stream.next())).toBe(true)
    expect(source.transport).toBe('poll')
  })

  it('tries a stream again after retryStreamAfter of polling, keeping OPEN; a stream that delivers stays', async () => {
    const stream = mockStream()
    const {source, log} = automatic({retryStreamAfter: 2000})
    await endEmpty(await untilPolling(stream))
    await emptyPolls(stream, 3)
    // 2000 ms of polling: the next request streams, with nothing fired but the transport change.
    const retried = await stream.next()
    expect(retried.url.search).toBe('')
    expect(source.readyState).toBe(EventSource.OPEN)
    expect(log.slice(-3)).toEqual(['transport:poll:stream:buffering', 'open:1', 'transport:stream:poll:retry'])
    retried.respond()
    retried.send('id: 1\ndata: streamed\n\n')
    await flush()
    retried.fail() // a byte came through: streaming works here now, whatever fails next
    await vi.advanceTimersByTimeAsync(RETRY)
    await starve(await stream.next(), true)
    await vi.advanceTimersByTimeAsync(2 * RETRY)
    expect(isPoll(await stream.next())).toBe(false) // one starved attempt is not enough any more
    expect(source.transport).toBe('stream')
  })

  it('a retried stream still starved returns to polling at once, and the next retry waits twice as long', async () => {
    const stream = mockStream()
    const {source, log} = automatic({retryStreamAfter: 1000})
    await endEmpty(await untilPolling(stream))
    await emptyPolls(stream, 1)
    const retried = await stream.next()
    expect(isPoll(retried)).toBe(false)
    await starve(retried, false)
    // Polling for less than `stableAfter` proved nothing: the backoff goes on from the starved streams.
    expect(log.slice(-3)).toEqual(['transport:stream:poll:retry', 'error:0:idle-timeout', 'reconnecting:3:400'])
    await waitAnnounced(log)
    expect(isPoll(await stream.next())).toBe(true) // one starved retry is enough
    expect(source.transport).toBe('poll')
    await endEmpty(stream.connections.at(-1)!)
    // Twice the wait now: three more polls of 500 ms, and only then a stream.
    await emptyPolls(stream, 3)
    expect(isPoll(await stream.next())).toBe(false)
    expect(log.filter((line) => line.startsWith('transport'))).toEqual([
      'transport:poll:stream:buffering',
      'transport:stream:poll:retry',
      'transport:poll:stream:buffering',
      'transport:stream:poll:retry',
    ])
  })

  it('back online while polling: the next request streams', async () => {
    const stream = mockStream()
    const {source, log, environment} = automatic()
    const poll = await untilPolling(stream)
    poll.respond()
    environment.set({online: false})
    environment.set({online: true})
    expect(source.transport).toBe('poll') // this poll goes on
    await vi.advanceTimersByTimeAsync(500)
    poll.end()
    const streamed = await stream.next()
    expect(isPoll(streamed)).toBe(false)
    expect(log.at(-1)).toBe('transport:stream:poll:online')
    // Back online on a network that still buffers: it takes `switchAfter` starved attempts again.
    await starve(streamed, true)
    await waitAnnounced(log)
    const again = await stream.next()
    expect(isPoll(again)).toBe(false)
    await starve(again, true)
    await waitAnnounced(log)
    expect(isPoll(await stream.next())).toBe(true)
  })

  it('offline kills a poll, online reconnects at once, and streams', async () => {
    const stream = mockStream()
    const {source, log, environment} = automatic()
    const poll = await untilPolling(stream)
    poll.respond()
    environment.set({online: false})
    poll.fail()
    await until(() => log.at(-1) === 'error:0:network', 'the offline error')
    environment.set({online: true})
    await vi.advanceTimersByTimeAsync(0) // the reconnect on `online` goes out on the next turn
    const streamed = await stream.next()
    expect(isPoll(streamed)).toBe(false)
    expect(source.transport).toBe('stream')
    expect(log.slice(-3)).toEqual(['error:0:network', 'reconnecting:1:0', 'transport:stream:poll:online'])
  })

  it('in polling mode, a server that ignores the poll parameter still works: its open response is a stream', async () => {
    const stream = mockStream()
    const {source, log} = automatic()
    const poll = await untilPolling(stream)
    poll.respond()
    for (let i = 1; i <= 6; i++) {
      await vi.advanceTimersByTimeAsync(400)
      poll.send(`id: ${i}\ndata: ${i}\n\n`)
      await flush()
    }
    expect(log.filter((line) => line.startsWith('message'))).toHaveLength(6)
    expect(stream.connections).toHaveLength(3)
    expect(source.readyState).toBe(EventSource.OPEN)
  })

  it('each source has its own state, from one strategy', async () => {
    const stream = mockStream()
    const transport = autoTransport({pollTimeout: 500, switchAfter: 1})
    const a = openSource({transport, idleTimeout: IDLE, retryDelay: RETRY})
    const b = openSource({transport, idleTimeout: IDLE, retryDelay: RETRY})
    const [first, second] = [await stream.next(), await stream.next()]
    first.respond()
    second.respond()
    second.send(': heartbeat\n')
    await vi.advanceTimersByTimeAsync(IDLE)
    expect([a.transport, b.transport]).toEqual(['stream', 'stream'])
    await vi.advanceTimersByTimeAsync(RETRY)
    const retries = [await stream.next(), await stream.next()]
    expect(retries.filter(isPoll)).toHaveLength(1)
    expect([a.transport, b.transport]).toEqual(['poll', 'stream'])
  })

  describe('close()', () => {
    it.each([
      ['streaming', async () => {}],
      ['polling, a poll open', async (stream: ReturnType<typeof mockStream>) => (await untilPolling(stream)).respond()],
      [
        'polling, waiting to retry a failed poll',
        async (stream: ReturnType<typeof mockStream>) => (await untilPolling(stream)).respond({status: 503, body: ''}),
      ],
    ])('%s: no timer, no environment listener, no request left', async (_when, before) => {
      const stream = mockStream()
      const {source, environment} = automatic()
      await before(stream)
      await flush()
      expect(environment.listeners.size).toBe(2) // the connection's and the strategy's
      source.close()
      expect(vi.getTimerCount()).toBe(0)
      expect(environment.listeners.size).toBe(0)
      expect(stream.connections.every((connection) => connection.aborted)).toBe(true)
    })

    it('inside transportchange: the poll is never sent', async () => {
      const stream = mockStream()
      const {source} = automatic({switchAfter: 1})
      source.addEventListener('transportchange', () => source.close())
      await starve(await stream.next(), true)
      await vi.advanceTimersByTimeAsync(RETRY)
      await flush()
      expect(source.readyState).toBe(EventSource.CLOSED)
      expect(stream.connections).toHaveLength(1)
      expect(vi.getTimerCount()).toBe(0)
    })
  })

  it('rejects a source without an idle watchdog, and bad options, naming them', () => {
    expect(() => openSource({transport: autoTransport(), idleTimeout: 0})).toThrow(
      'Invalid transport option: autoTransport() detects buffering with the idle watchdog, which `idleTimeout: 0` turns off',
    )
    expect(() => autoTransport({switchAfter: 0})).toThrow(
      'Invalid transport option: `switchAfter` must be an integer from 1 to 2147483647, got 0',
    )
    expect(() => autoTransport({retryStreamAfter: 999})).toThrow(
      'Invalid transport option: `retryStreamAfter` must be an integer from 1000 to 2147483647, got 999',
    )
    expect(() => openSource({transport: autoTransport({pollTimeout: 2000}), idleTimeout: 1000})).toThrow(
      "`pollTimeout` (2000 ms) must be below the source's `idleTimeout` (1000 ms)",
    )
  })
})

describe('poll URLs', () => {
  it('adds the two parameters for a poll, and gives a stream the source URL’s own values back', () => {
    const urls = pollUrls('http://sse.test/feed?topic=a&transport=stream', 800)
    const poll = urls.poll('http://sse.test/feed?topic=a&transport=stream')
    expect(poll).toBe('http://sse.test/feed?topic=a&transport=poll&pollTimeoutMs=800')
    expect(urls.poll(poll)).toBe(poll)
    expect(urls.stream(poll)).toBe('http://sse.test/feed?topic=a&transport=stream')
    const plain = pollUrls('http://sse.test/feed?a=%20b', 800)
    expect(plain.stream('http://sse.test/feed?a=%20b')).toBe('http://sse.test/feed?a=%20b') // not re-serialized
    expect(plain.stream('http://sse.test/moved?a=%20b&transport=poll&pollTimeoutMs=800')).toBe(
      'http://sse.test/moved?a=+b',
    )
  })

  it('after a redirected poll, polls go where it led, and a stream goes there without the poll parameters', async () => {
    const stream = mockStream()
    const moved = mockStream(`${ORIGIN}/moved`)
    useHandlers(
      http.get(STREAM_URL, ({request}) => {
        const url = new URL(request.url)
        if (url.searchParams.get('transport') !== 'poll') return undefined // to the stream's handler
        return new Response(null, {status: 307, headers: {location: `${ORIGIN}/moved${url.search}`}})
      }),
    )
    const {log} = automatic({switchAfter: 1, retryStreamAfter: 1000})
    await starve(await stream.next(), true)
    await waitAnnounced(log)
    const redirected = await moved.next()
    expect(redirected.url.search).toBe('?transport=poll&pollTimeoutMs=500')
    redirected.respond()
    redirected.send('id: 1\ndata: a\n\n')
    await flush()
    redirected.end()
    await emptyPolls(moved, 2) // there, with the poll parameters, until retryStreamAfter has passed
    const retried = await moved.next()
    expect(retried.url.href).toBe(`${ORIGIN}/moved`)
    expect(log.at(-1)).toBe('transport:stream:poll:retry')
  })
})
