import {describe, expect, it, vi} from 'vitest'
import {HoldfastError} from '../src/index'
import {events} from '../src/iterate'
import {chunkedFetch, flush, mockStream, openSource, ORIGIN, until, useFakeClock, useMockServer} from './harness'

useMockServer()

describe('[ext] async iteration', () => {
  it('yields message events and ends when the source is closed', async () => {
    const stream = mockStream()
    const source = openSource()
    const connection = await stream.open()
    connection.send('data: 1\n\ndata: 2\n\nevent: other\ndata: skipped\n\ndata: 3\n\n')
    const got: string[] = []
    for await (const event of events(source)) {
      got.push(event.data)
      if (event.data === '3') source.close()
    }
    expect(got).toEqual(['1', '2', '3'])
  })

  it('filters by type', async () => {
    const stream = mockStream()
    const source = openSource()
    const connection = await stream.open()
    connection.send('event: a\ndata: 1\n\ndata: m\n\nevent: b\ndata: 2\n\nevent: c\ndata: 3\n\n')
    const got: string[] = []
    for await (const event of events(source, {types: ['a', 'b', 'c']})) {
      got.push(`${event.type}:${event.data}`)
      if (got.length === 3) break
    }
    expect(got).toEqual(['a:1', 'b:2', 'c:3'])
  })

  it('throws the fatal error that closed the source', async () => {
    const stream = mockStream()
    const source = openSource({retryStatuses: []})
    const iteration = (async () => {
      for await (const event of events(source)) void event
    })()
    ;(await stream.next()).respond({status: 500, body: ''})
    await expect(iteration).rejects.toMatchObject({name: 'HoldfastError', code: 'http-status', status: 500})
  })

  it('an iterator created but not consumed: yields what it buffered, then throws buffer-overflow', async () => {
    const stream = mockStream()
    const source = openSource()
    const iterator = events(source, {bufferSize: 2})
    const connection = await stream.open()
    connection.send('data: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\n')
    await until(() => source.stats.messages === 4, 'all four events')
    expect((await iterator.next()).value?.data).toBe('1')
    expect((await iterator.next()).value?.data).toBe('2')
    const overflow: unknown = await iterator.next().catch((error: unknown) => error)
    expect(HoldfastError.is(overflow) && overflow.code).toBe('buffer-overflow')
    expect(await iterator.next()).toEqual({done: true, value: undefined})
    expect(source.readyState).toBe(source.OPEN) // the source itself keeps running
  })

  it('unsubscribes when the loop breaks, and builds no DOM event while iterating', async () => {
    const stream = mockStream()
    const source = openSource()
    const connection = await stream.open()
    const dispatch = vi.spyOn(source, 'dispatchEvent')
    let unsubscribed = 0
    const subscribe = source.subscribe.bind(source)
    source.subscribe = (listener, options) => {
      const unsubscribe = subscribe(listener, options)
      return () => {
        unsubscribed++
        unsubscribe()
      }
    }
    connection.send('data: 1\n\n')
    for await (const message of events(source)) {
      expect(message).toEqual({type: 'message', data: '1', lastEventId: '', origin: 'http://sse.test'})
      break
    }
    expect(unsubscribed).toBe(1)
    expect(dispatch.mock.calls.map(([event]) => event.type)).toEqual(['open'])
  })

  it('ends at once for a source that is already closed, and rejects a bad bufferSize', async () => {
    mockStream()
    const source = openSource()
    source.close()
    expect(await events(source).next()).toEqual({done: true, value: undefined})
    expect(() => events(source, {bufferSize: 0})).toThrow(expect.objectContaining({code: 'invalid-option'}))
    await flush()
  })

  it('a pending next() settles when the source closes', async () => {
    mockStream()
    const source = openSource()
    const pending = events(source).next()
    source.close()
    expect(await pending).toEqual({done: true, value: undefined})
  })

  it('a consumer keeping up never overflows, even on a burst far larger than bufferSize', async () => {
    const burst = Array.from({length: 5000}, (_, i) => `id: ${i}\ndata: ${i}\n\n`).join('')
    const source = openSource({fetch: chunkedFetch([burst]), retryDelay: 60_000})
    const got: string[] = []
    for await (const event of events(source, {bufferSize: 10})) {
      got.push(event.data)
      if (got.length === 5000) source.close()
    }
    expect(got).toEqual(Array.from({length: 5000}, (_, i) => String(i)))
  })

  /** A body of 50 chunks of 4 events each, read only as the client pulls. */
  function pulledBody() {
    const progress = {pulls: 0, sent: 0}
    const encoder = new TextEncoder()
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          // A reader that ignored the consumer would take all 50 chunks at once.
          if (++progress.pulls > 50) return controller.close()
          controller.enqueue(encoder.encode([1, 2, 3, 4].map(() => `data: ${++progress.sent}\n\n`).join('')))
        },
      },
      {highWaterMark: 0},
    )
    const fetch = async (): Promise<Response> => new Response(body, {headers: {'content-type': 'text/event-stream'}})
    return {fetch, progress}
  }

  it('a slow consumer pauses reading (backpressure) longer than the idle timeout without tripping it', async () => {
    useFakeClock()
    const {fetch, progress} = pulledBody()
    const source = openSource({fetch, idleTimeout: 1000})
    const errors: string[] = []
    source.onerror = (event) => errors.push(event.error?.code ?? '')
    const iterator = events(source, {bufferSize: 8})
    const first = await iterator.next() // consuming now
    expect(first.value?.data).toBe('1')
    await until(() => progress.pulls >= 3, 'reading until the consumer is 8 behind')
    await flush()
    const pullsWhileBehind = progress.pulls
    // Read but not consumed: at most bufferSize, plus the one chunk that crossed it.
    expect(progress.sent - 1).toBeLessThanOrEqual(8 + 4)
    // The consumer takes one message every 900 ms: reading stays paused for several idle timeouts in a row, and
    // neither the network's watchdog nor the consumer's trips, since the consumer keeps making progress.
    const received: string[] = []
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(900)
      received.push((await iterator.next()).value!.data)
    }
    expect(progress.pulls).toBe(pullsWhileBehind)
    expect(errors).toEqual([])
    for (let i = 0; i < 15; i++) received.push((await iterator.next()).value!.data)
    expect(received).toEqual(Array.from({length: 20}, (_, i) => String(i + 2)))
    expect(progress.pulls).toBeGreaterThan(pullsWhileBehind) // reading resumed once the consumer caught up
    await iterator.return()
  })

  it('a consumer that took a message and then stopped cannot hold the stream: it fails with buffer-overflow', async () => {
    useFakeClock()
    const {fetch, progress} = pulledBody()
    const source = openSource({fetch, idleTimeout: 1000})
    const others: string[] = []
    source.subscribe(({data}) => others.push(data))
    const dropped = events(source, {bufferSize: 8, stallTimeout: 1000})
    expect((await dropped.next()).value?.data).toBe('1') // then dropped, as `await events(source).next()` is
    await until(() => progress.pulls >= 3, 'reading until the consumer is 8 behind')
    const pullsWhileBehind = progress.pulls
    await vi.advanceTimersByTimeAsync(999)
    expect(progress.pulls).toBe(pullsWhileBehind) // paused for it so far
    await vi.advanceTimersByTimeAsync(1)
    await until(() => others.length === 200, 'every event, for the other subscriber') // reading resumed
    // What it buffered is still its own; then it throws why it ended.
    const rest: unknown[] = []
    let failure: unknown
    for (;;) {
      try {
        const result = await dropped.next()
        if (result.done) break
        rest.push(result.value.data)
      } catch (error) {
        failure = error
      }
    }
    expect(rest.length).toBeGreaterThanOrEqual(8)
    expect(HoldfastError.is(failure) && failure.code).toBe('buffer-overflow')
    expect((failure as Error).message).toBe('An iterator took no event for 1000 ms while 8 waited for it')
  })

  it('return() while a next() is pending settles both at once and unsubscribes: nothing is swallowed', async () => {
    const stream = mockStream()
    const source = openSource()
    const connection = await stream.open()
    const iterator = events(source)
    const pending = iterator.next()
    expect(await iterator.return()).toEqual({done: true, value: undefined})
    expect(await pending).toEqual({done: true, value: undefined})
    const next = events(source)
    const waiting = next.next()
    connection.send('data: after\n\n')
    expect((await waiting).value?.data).toBe('after') // the ended iterator took nothing
    expect(await iterator.next()).toEqual({done: true, value: undefined})
    await next.return()
  })

  /** How each promise settles, in the order they settle: a hang shows as a missing entry, not a timeout. */
  function track<T>(promises: Array<Promise<T>>): Array<{n: number; value?: T; error?: unknown}> {
    const outcomes: Array<{n: number; value?: T; error?: unknown}> = []
    promises.forEach((promise, n) =>
      promise.then(
        (value) => outcomes.push({n, value}),
        (error: unknown) => outcomes.push({n, error}),
      ),
    )
    return outcomes
  }
  const message = (data: string) => ({done: false, value: {type: 'message', data, lastEventId: '', origin: ORIGIN}})
  const DONE = {done: true, value: undefined}

  it('next() calls made before the first settles settle in order, one message each', async () => {
    const stream = mockStream()
    const source = openSource()
    const connection = await stream.open()
    const iterator = events(source)
    const outcomes = track([iterator.next(), iterator.next(), iterator.next()])
    connection.send('data: 1\n\ndata: 2\n\n')
    await until(() => source.stats.messages === 2, 'two events')
    connection.send('data: 3\n\n')
    await until(() => outcomes.length === 3, 'every next() settles')
    expect(outcomes).toEqual(['1', '2', '3'].map((data, n) => ({n, value: message(data)})))
    // And the other way round: messages that wait, taken by next() calls made together.
    connection.send('data: 4\n\ndata: 5\n\n')
    await until(() => source.stats.messages === 5, 'five events')
    expect(await Promise.all([iterator.next(), iterator.next()])).toEqual([message('4'), message('5')])
    await iterator.return()
  })

  it('return() settles every pending next(), in order, with done', async () => {
    const stream = mockStream()
    const source = openSource()
    const connection = await stream.open()
    const iterator = events(source)
    const outcomes = track([iterator.next(), iterator.next(), iterator.next()])
    expect(await iterator.return()).toEqual(DONE)
    await until(() => outcomes.length === 3, 'every next() settles')
    expect(outcomes).toEqual([0, 1, 2].map((n) => ({n, value: DONE})))
    connection.send('data: after\n\n')
    expect(await iterator.next()).toEqual(DONE)
  })

  it('a close settles every pending next(): the first with the fatal error, the others with done', async () => {
    const stream = mockStream()
    const source = openSource({retryStatuses: []})
    const iterator = events(source)
    const outcomes = track([iterator.next(), iterator.next(), iterator.next()])
    ;(await stream.next()).respond({status: 500, body: ''})
    await until(() => outcomes.length === 3, 'every next() settles')
    expect(outcomes).toEqual([
      {n: 0, error: expect.objectContaining({name: 'HoldfastError', code: 'http-status', status: 500})},
      {n: 1, value: DONE},
      {n: 2, value: DONE},
    ])

    const closed = openSource()
    const waiting = events(closed)
    const both = track([waiting.next(), waiting.next()])
    closed.close()
    await until(() => both.length === 2, 'both settle')
    expect(both).toEqual([0, 1].map((n) => ({n, value: DONE})))
  })

  it('an abandoned loop ended from outside (a timeout race) releases its place at once', async () => {
    useFakeClock()
    const stream = mockStream()
    const source = openSource()
    await stream.open()
    const iterator = events(source)
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5000))
    const winner = Promise.race([iterator.next(), timeout])
    await vi.advanceTimersByTimeAsync(5000)
    expect(await winner).toBe('timeout')
    await iterator.return()
    expect(vi.getTimerCount()).toBe(1) // the source's watchdog alone
  })
})
