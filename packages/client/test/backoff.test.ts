import {beforeEach, describe, expect, it, vi} from 'vitest'
import {reconnectDelay} from '../src/backoff'
import {EventSource, HoldfastError} from '../src/index'
import {mockStream, openSource, record, until, useFakeClock, useMockServer} from './harness'

useMockServer()

const policy = (random: number) => ({backoffFactor: 2, maxRetryDelay: 30_000, jitter: 0.5, random: () => random})

describe('reconnectDelay (pure)', () => {
  it.each([
    // attempt, base, random, floor, expected
    [1, 1000, 0, 0, 1000],
    [2, 1000, 0, 0, 2000],
    [3, 1000, 0, 0, 4000],
    [5, 1000, 0, 0, 16_000],
    [6, 1000, 0, 0, 30_000], // capped
    [50, 1000, 0, 0, 30_000],
    [2000, 1000, 0, 0, 30_000], // 2^1999 overflows to Infinity, still capped
    [1, 1000, 0.5, 0, 1250], // jitter adds up to jitter × delay
    [1, 1000, 0.999, 0, 1500],
    [6, 1000, 1 - Number.EPSILON, 0, 45_000],
    [1, 60_000, 0, 0, 60_000], // [spec] never shorter than the reconnection time, even above maxDelay
    [1, 1000, 0, 7000, 7000], // Retry-After floor
    [3, 1000, 0.5, 7000, 8750], // floor, then jitter on top
    [1, 0, 0.9, 0, 0], // retry: 0 means at once, the first time
    [2, 0, 0, 0, 100], // consecutive failures grow from GROWTH_FLOOR (100 ms), never a loop of zeros
    [3, 0, 0, 0, 200],
    [12, 0, 0, 0, 30_000],
    [2, 50, 0, 0, 100], // a small base keeps its own curve where it is above the floor's
    [3, 20, 0, 0, 200], // and follows the floor's where it is below
    [2, 0, 0.5, 0, 125],
    [1, 2 ** 31 - 1, 0.5, 0, 2 ** 31 - 1], // what a timer can wait, never more (setTimeout fires at once beyond)
  ])('attempt %i, base %i, random %f, floor %i → %i ms', (attempt, base, random, floor, expected) => {
    expect(reconnectDelay(attempt, base, policy(random), floor)).toBe(expected)
  })

  it('never goes below the un-jittered delay, for any random value', () => {
    for (let attempt = 1; attempt <= 20; attempt++) {
      for (const random of [0, 0.1, 0.5, 0.9, 0.999999]) {
        const delay = reconnectDelay(attempt, 1000, policy(random))
        const floor = Math.min(30_000, 1000 * 2 ** (attempt - 1))
        expect(delay).toBeGreaterThanOrEqual(floor)
        expect(delay).toBeLessThanOrEqual(floor * 1.5)
      }
    }
  })
})

describe('[ext] backoff across failures', () => {
  beforeEach(() => useFakeClock())

  it('after a server sent retry: 0, an outage backs off instead of looping', async () => {
    const stream = mockStream()
    const source = openSource({retryDelay: 1000})
    const delays: number[] = []
    source.addEventListener('reconnecting', (event) => delays.push(event.delay!))
    const first = await stream.open()
    first.send('retry: 0\ndata: x\n\n')
    await until(() => source.stats.messages === 1, 'the message')
    first.end()
    await until(() => delays.length === 1, 'the first reconnect')
    for (let i = 1; i < 6; i++) {
      await vi.advanceTimersByTimeAsync(delays[i - 1]!)
      ;(await stream.next()).refuse()
      await until(() => delays.length === i + 1, `reconnect #${i + 1}`)
    }
    expect(delays).toEqual([0, 100, 200, 400, 800, 1600])
    expect(stream.connections).toHaveLength(6)
  })

  it('with retryDelay: 0, the same', async () => {
    const stream = mockStream()
    const source = openSource({retryDelay: 0})
    expect(await failRepeatedly(source, stream, 4)).toEqual([0, 100, 200, 400])
  })

  it('a retry: beyond what a timer can wait is clamped to it, not fired at once in a loop', async () => {
    const stream = mockStream()
    const source = openSource()
    const delays: number[] = []
    source.addEventListener('reconnecting', (event) => delays.push(event.delay!))
    const connection = await stream.open()
    connection.send(`retry: ${30 * 24 * 3600 * 1000}\n\n`) // 30 days
    connection.end()
    await until(() => delays.length === 1, 'the reconnect')
    expect(delays).toEqual([2 ** 31 - 1])
    await vi.advanceTimersByTimeAsync(24 * 3600 * 1000)
    expect(stream.connections).toHaveLength(1)
  })

  /** Fails `count` connection attempts in a row with a 503, collecting the scheduled delays. */
  async function failRepeatedly(source: EventSource, stream: ReturnType<typeof mockStream>, count: number) {
    const delays: number[] = []
    source.addEventListener('reconnecting', (event) => delays.push(event.delay!))
    for (let i = 0; i < count; i++) {
      ;(await stream.next()).respond({status: 503, body: ''})
      await until(() => delays.length === i + 1, `reconnecting #${i + 1}`)
      await vi.advanceTimersByTimeAsync(delays[i]!)
    }
    return delays
  }

  it('doubles the delay after each consecutive failure, up to maxRetryDelay', async () => {
    const stream = mockStream()
    const source = openSource({retryDelay: 1000, maxRetryDelay: 10_000})
    expect(await failRepeatedly(source, stream, 6)).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000])
  })

  it('adds jitter from the injected random source, on top of the delay', async () => {
    const stream = mockStream()
    const random = vi.fn().mockReturnValueOnce(0.2).mockReturnValueOnce(0.8)
    const source = openSource({retryDelay: 1000, jitter: 0.5, random})
    expect(await failRepeatedly(source, stream, 2)).toEqual([1100, 2800])
  })

  it('keeps backing off against a server that accepts and drops at once', async () => {
    const stream = mockStream()
    const source = openSource({retryDelay: 100})
    const delays: number[] = []
    source.addEventListener('reconnecting', (event) => delays.push(event.delay!))
    for (let i = 0; i < 4; i++) {
      ;(await stream.open()).end()
      await until(() => delays.length === i + 1, `reconnecting #${i + 1}`)
      await vi.advanceTimersByTimeAsync(delays[i]!)
    }
    expect(delays).toEqual([100, 200, 400, 800])
  })

  it('resets the failure count once a message was dispatched', async () => {
    const stream = mockStream()
    const source = openSource({retryDelay: 100})
    const delays = await failRepeatedly(source, stream, 3)
    expect(delays).toEqual([100, 200, 400])
    const healthy = await stream.open()
    healthy.send('data: proof of health\n\n')
    await until(() => source.stats.messages === 1, 'the message')
    healthy.end()
    await until(() => delays.length === 4, 'the next reconnecting')
    expect(delays[3]).toBe(100)
  })

  it('resets the failure count after stableAfter ms of uptime, even without a message', async () => {
    const stream = mockStream()
    const source = openSource({retryDelay: 100, stableAfter: 5000, idleTimeout: 0})
    const delays = await failRepeatedly(source, stream, 2)
    const quiet = await stream.open()
    await until(() => source.readyState === EventSource.OPEN, 'open')
    await vi.advanceTimersByTimeAsync(4999)
    quiet.end()
    await until(() => delays.length === 3, 'reconnecting after a short stream')
    expect(delays[2]).toBe(400) // 4.999 s was not enough
    await vi.advanceTimersByTimeAsync(400)
    const stable = await stream.open()
    await until(() => source.readyState === EventSource.OPEN, 'open again')
    await vi.advanceTimersByTimeAsync(5000)
    stable.end()
    await until(() => delays.length === 4, 'reconnecting after a stable stream')
    expect(delays[3]).toBe(100)
  })

  it('gives up after maxAttempts: CLOSED and one final retries-exhausted error with the last failure as cause', async () => {
    const stream = mockStream()
    const source = openSource({retryDelay: 100, maxAttempts: 2})
    const log = record(source)
    let final: HoldfastError | undefined
    source.addEventListener('error', (event) => {
      if (source.readyState === EventSource.CLOSED) final = event.error
    })
    for (const delay of [100, 200, 0]) {
      const failures = log.filter((entry) => entry.startsWith('error')).length
      ;(await stream.next()).respond({status: 502, body: ''})
      await until(() => log.filter((entry) => entry.startsWith('error')).length === failures + 1, 'the failure')
      await vi.advanceTimersByTimeAsync(delay)
    }
    await vi.advanceTimersByTimeAsync(60_000)
    expect(log).toEqual([
      'error:0:http-status',
      'reconnecting:1:100',
      'error:0:http-status',
      'reconnecting:2:200',
      'error:2:retries-exhausted',
    ])
    expect(final?.cause).toMatchObject({code: 'http-status', status: 502})
    expect(stream.connections).toHaveLength(3)
    expect(vi.getTimerCount()).toBe(0)
  })
})
