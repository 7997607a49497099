import {beforeEach, describe, expect, it, vi} from 'vitest'
import {EventSource, HoldfastError, type HoldfastEventSourceInit} from '../src/index'
import {events} from '../src/iterate'
import {pollTransport} from '../src/polling'
import {
  controlledEnvironment,
  flush,
  mockStream,
  openSource,
  record,
  until,
  useFakeClock,
  useMockServer,
  type MockConnection,
} from './harness'

useMockServer()
beforeEach(() => useFakeClock())

/** A source that long-polls, with polls of 500 ms under a 1 s idle timeout. */
function polling(init: HoldfastEventSourceInit = {}) {
  const source = openSource({transport: pollTransport({pollTimeout: 500}), idleTimeout: 1000, retryDelay: 100, ...init})
  return {source, log: record(source)}
}

/** The query of a request, as an object. */
const query = (connection: MockConnection) => Object.fromEntries(connection.url.searchParams)

/** Answers a poll with `body` and ends it, as a server does once it has sent a batch. */
async function answer(connection: MockConnection, body: string): Promise<void> {
  connection.respond()
  connection.send(body)
  await flush()
  connection.end()
}

describe('[ext] pollTransport(): long polling', () => {
  it('follows each complete poll at once with the next, with the Last-Event-ID, and fires open once', async () => {
    const stream = mockStream()
    const {source, log} = polling()
    expect(source.transport).toBe('poll')
    const first = await stream.next()
    expect(query(first)).toEqual({transport: 'poll', pollTimeoutMs: '500'})
    expect(first.request.headers.get('last-event-id')).toBeNull()
    await answer(first, 'retry: 100\nid: 1\ndata: a\n\nid: 2\ndata: b\n\n')

    // No timer was advanced: the next poll went out at once, and the source stayed OPEN meanwhile.
    const second = await stream.next()
    expect(second.request.headers.get('last-event-id')).toBe('2')
    expect(query(second)).toEqual({transport: 'poll', pollTimeoutMs: '500'})
    expect(source.readyState).toBe(EventSource.OPEN)
    await answer(second, 'id: 3\ndata: c\n\n')

    // An empty poll: the server waited its whole pollTimeoutMs with heartbeats, then ended it.
    const third = await stream.next()
    expect(third.request.headers.get('last-event-id')).toBe('3')
    third.respond()
    await vi.advanceTimersByTimeAsync(250)
    third.send(': heartbeat\n')
    await vi.advanceTimersByTimeAsync(250)
    third.end()
    const fourth = await stream.next()
    expect(fourth.request.headers.get('last-event-id')).toBe('3')

    expect(log).toEqual(['open:1', 'message:a', 'message:b', 'message:c'])
    expect(source.readyState).toBe(EventSource.OPEN)
    expect(source.stats).toMatchObject({connections: 3, reconnects: 0, messages: 3})
    expect(source.transport).toBe('poll')
  })

  it("takes the server's cursor, an id alone, from a poll that had nothing: no event, and the next poll resumes from it", async () => {
    const stream = mockStream()
    const {source, log} = polling()
    const first = await stream.next()
    expect(first.request.headers.get('last-event-id')).toBeNull()
    first.respond()
    first.send('id: 7\n\n') // the cursor the test server gives a poll without a Last-Event-ID
    await vi.advanceTimersByTimeAsync(500)
    first.end()
    const second = await stream.next()
    expect(second.request.headers.get('last-event-id')).toBe('7')
    expect(source.lastEventId).toBe('7')
    expect(log).toEqual(['open:1'])
  })

  it('a poll that fails is a failure like any other: error, backoff, then the next poll with the id', async () => {
    const stream = mockStream()
    const {source, log} = polling()
    await answer(await stream.next(), 'id: 1\ndata: a\n\n')
    ;(await stream.next()).respond({status: 503, body: 'busy'})
    await until(() => log.length === 4, 'the failure')
    expect(log).toEqual(['open:1', 'message:a', 'error:0:http-status', 'reconnecting:1:100'])
    expect(source.readyState).toBe(EventSource.CONNECTING)
    await vi.advanceTimersByTimeAsync(99)
    expect(stream.connections).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    const third = await stream.next()
    expect(third.request.headers.get('last-event-id')).toBe('1')
    third.respond()
    third.fail() // dropped mid-poll: the backoff grows
    await until(() => log.length === 7, 'the second failure')
    expect(log.slice(4)).toEqual(['open:1', 'error:0:network', 'reconnecting:2:200'])
    await vi.advanceTimersByTimeAsync(200)
    await answer(await stream.next(), 'id: 2\ndata: b\n\n')
    await until(() => log.length === 9, 'the event after the recovery')
    expect(log.slice(7)).toEqual(['open:1', 'message:b'])
    expect(source.stats).toMatchObject({connections: 3, reconnects: 2})
  })

  it('an empty poll that ends sooner than it should is a stream-ended failure with backoff, never a storm', async () => {
    const stream = mockStream()
    const {log} = polling()
    for (const [attempt, delay] of [
      [1, 100],
      [2, 200],
      [3, 400],
    ] as const) {
      const connection = await stream.next()
      connection.respond()
      connection.send('retry: 100\n\n') // bytes, but no event, and no wait
      await flush()
      connection.end()
      await until(() => log.at(-1)?.startsWith('reconnecting') ?? false, 'the failure')
      expect(log.slice(-2)).toEqual(['error:0:stream-ended', `reconnecting:${attempt}:${delay}`])
      await vi.advanceTimersByTimeAsync(delay)
    }
    expect(stream.connections).toHaveLength(4)
  })

  it('works with a server that ignores the poll parameter: the response stays open, and is a stream', async () => {
    const stream = mockStream()
    const {source, log} = polling()
    const connection = await stream.open()
    for (let i = 1; i <= 6; i++) {
      await vi.advanceTimersByTimeAsync(400) // far past the poll timeout in all, with a byte within every idle timeout
      connection.send(i % 2 ? ': heartbeat\n' : `id: ${i}\ndata: ${i}\n\n`)
      await flush()
    }
    expect(log).toEqual(['open:1', 'message:2', 'message:4', 'message:6'])
    expect(stream.connections).toHaveLength(1)
    expect(source.readyState).toBe(EventSource.OPEN)
    // A drop of that stream reconnects as usual, with the id, and still asks for a poll.
    connection.fail()
    await vi.advanceTimersByTimeAsync(100)
    const next = await stream.next()
    expect(next.request.headers.get('last-event-id')).toBe('6')
    expect(query(next).transport).toBe('poll')
  })

  it('the idle watchdog bounds every poll: one that never answers fails with idle-timeout', async () => {
    const stream = mockStream()
    const {log} = polling()
    await answer(await stream.next(), 'id: 1\ndata: a\n\n')
    const silent = await stream.next()
    await vi.advanceTimersByTimeAsync(999)
    expect(silent.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(silent.aborted).toBe(true)
    expect(log.slice(-2)).toEqual(['error:0:idle-timeout', 'reconnecting:1:100'])
  })

  it('keeps Last-Event-ID resume, dedupe, subscribe, iteration and the query id across polls', async () => {
    const stream = mockStream()
    const {source, log} = polling({dedupe: 10, lastEventId: '0', lastEventIdIn: 'both'})
    const subscribed: string[] = []
    source.subscribe(({data, lastEventId}) => subscribed.push(`${lastEventId}:${data}`))
    const iterated: string[] = []
    const iteration = (async () => {
      for await (const message of events(source)) iterated.push(message.data)
    })()
    const first = await stream.next()
    expect(query(first)).toEqual({transport: 'poll', pollTimeoutMs: '500', lastEventId: '0'})
    await answer(first, 'id: 1\ndata: a\n\nid: 2\ndata: b\n\n')
    const second = await stream.next()
    expect(query(second)).toEqual({transport: 'poll', pollTimeoutMs: '500', lastEventId: '2'})
    await answer(second, 'id: 2\ndata: b\n\nid: 3\ndata: c\n\n') // the server replays one it already sent
    await stream.next()
    expect(log).toEqual(['open:1', 'message:a', 'message:b', 'message:c'])
    expect(subscribed).toEqual(['1:a', '2:b', '3:c'])
    expect(source.stats).toMatchObject({messages: 3, duplicates: 1})
    source.close()
    await iteration
    expect(iterated).toEqual(['a', 'b', 'c'])
  })

  it('pauses a hidden page between polls and resumes with the id when visible', async () => {
    const environment = controlledEnvironment()
    const stream = mockStream()
    const {log} = polling({environment, pauseWhenHidden: 0})
    await answer(await stream.next(), 'id: 1\ndata: a\n\n')
    const second = await stream.next()
    environment.set({hidden: true})
    await vi.advanceTimersByTimeAsync(0)
    expect(second.aborted).toBe(true)
    environment.set({hidden: false})
    const third = await stream.next()
    expect(third.request.headers.get('last-event-id')).toBe('1')
    third.respond()
    await until(() => log.length === 3, 'open again')
    expect(log).toEqual(['open:1', 'message:a', 'open:1'])
  })

  describe('close()', () => {
    it.each([
      ['before a poll answered', async () => {}],
      ['while a poll is open', async (connection: MockConnection) => connection.respond()],
    ])('%s: aborts it, and leaves no timer and fires nothing', async (_when, before) => {
      const stream = mockStream()
      const {source, log} = polling()
      await answer(await stream.next(), 'id: 1\ndata: a\n\n')
      const second = await stream.next()
      await before(second)
      await flush()
      source.close()
      expect(second.aborted).toBe(true)
      expect(vi.getTimerCount()).toBe(0)
      await vi.advanceTimersByTimeAsync(5000)
      expect(stream.connections).toHaveLength(2)
      expect(log).toEqual(['open:1', 'message:a'])
      expect(source.readyState).toBe(EventSource.CLOSED)
    })

    it('inside a message listener of a poll: the next poll is never sent', async () => {
      const stream = mockStream()
      const {source} = polling()
      source.addEventListener('message', () => source.close())
      await answer(await stream.next(), 'id: 1\ndata: a\n\nid: 2\ndata: b\n\n')
      await vi.advanceTimersByTimeAsync(5000)
      expect(stream.connections).toHaveLength(1)
      expect(source.lastEventId).toBe('1')
      expect(vi.getTimerCount()).toBe(0)
    })
  })

  describe('options', () => {
    const invalid = (init: HoldfastEventSourceInit) => {
      try {
        new EventSource('http://sse.test/stream', init).close()
      } catch (error) {
        return HoldfastError.is(error) ? `${error.code}: ${error.message}` : error
      }
      return 'no error'
    }

    it('sends half the idle timeout as pollTimeoutMs by default, at most 25 s', async () => {
      const stream = mockStream()
      for (const [idleTimeout, expected] of [
        [45_000, '22500'],
        [120_000, '25000'],
        [0, '25000'],
        [300, '150'],
      ] as const) {
        const source = openSource({transport: pollTransport(), idleTimeout})
        expect(query(await stream.next()).pollTimeoutMs).toBe(expected)
        source.close()
      }
    })

    it('rejects a bad pollTimeout, one not below the idle timeout, and a non-GET source without retryNonGet', () => {
      expect(() => pollTransport({pollTimeout: 99})).toThrow(
        'Invalid transport option: `pollTimeout` must be an integer from 100 to 2147483647, got 99',
      )
      expect(() => pollTransport({pollTimeout: 1.5})).toThrow(HoldfastError)
      expect(() => pollTransport('fast' as never)).toThrow('the options must be an object, got fast')
      expect(invalid({transport: pollTransport({pollTimeout: 1000}), idleTimeout: 1000})).toBe(
        "invalid-option: Invalid transport option: `pollTimeout` (1000 ms) must be below the source's `idleTimeout` (1000 ms)",
      )
      expect(invalid({transport: pollTransport(), idleTimeout: 100})).toBe(
        "invalid-option: Invalid transport option: `pollTimeout` (100 ms) must be below the source's `idleTimeout` (100 ms)",
      )
      expect(invalid({transport: pollTransport(), method: 'POST', body: 'x'})).toBe(
        'invalid-option: Invalid transport option: long polling re-sends the request for every batch: a POST source needs `retryNonGet: true`',
      )
      expect(invalid({transport: pollTransport(), method: 'POST', body: 'x', retryNonGet: true})).toBe('no error')
      expect(invalid({transport: 'poll' as never})).toBe(
        'invalid-option: Invalid EventSource option: `transport` must be a function, got poll',
      )
    })
  })
})
