import {beforeEach, describe, expect, it, vi} from 'vitest'
import {parseRetryAfter} from '../src/retry-after'
import {EventSource, HoldfastError} from '../src/index'
import {flush, mockStream, openSource, record, until, useFakeClock, useMockServer} from './harness'

useMockServer()

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-21T12:00:00Z')
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Sat, 21 Nov 2026 12:00:30 GMT', 30_000],
    ['Sat, 21 Nov 2026 11:00:00 GMT', 0], // in the past
    ['soon', undefined],
    ['-5', undefined],
    ['1.5', undefined],
  ])('%s → %s', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected)
  })
  it.each(['America/New_York', 'Asia/Kolkata', 'UTC'])('reads every HTTP-date format as UTC, in %s', (zone) => {
    const saved = process.env.TZ
    process.env.TZ = zone
    try {
      // RFC 9110: IMF-fixdate, the obsolete RFC 850 and asctime formats; asctime names no zone, and is UTC.
      expect(parseRetryAfter('Sat, 21 Nov 2026 12:00:30 GMT', now)).toBe(30_000)
      expect(parseRetryAfter('Saturday, 21-Nov-26 12:00:30 GMT', now)).toBe(30_000)
      expect(parseRetryAfter('Sat Nov 21 12:00:30 2026', now)).toBe(30_000)
      expect(parseRetryAfter('Sat Nov  1 12:00:30 2026', Date.UTC(2026, 10, 1, 12))).toBe(30_000)
      expect(parseRetryAfter('Sat Nux 21 12:00:30 2026', now)).toBeUndefined()
    } finally {
      process.env.TZ = saved
    }
  })
  it('absent → undefined', () => expect(parseRetryAfter(null, now)).toBeUndefined())
})

describe('[ext] Retry-After', () => {
  beforeEach(() => useFakeClock())

  it.each([429, 503])('on a %i sets the next delay (never sooner than asked)', async (status) => {
    const stream = mockStream()
    const source = openSource({retryDelay: 1000})
    const log = record(source)
    ;(await stream.next()).respond({status, headers: {'retry-after': '7'}, body: ''})
    await until(() => log.length === 2, 'reconnecting')
    expect(log).toEqual(['error:0:http-status', 'reconnecting:1:7000'])
    await vi.advanceTimersByTimeAsync(6999)
    expect(stream.connections).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(stream.connections).toHaveLength(2)
  })

  it('accepts an HTTP-date', async () => {
    vi.setSystemTime(Date.parse('2026-11-21T12:00:00Z'))
    const stream = mockStream()
    const source = openSource()
    const log = record(source)
    ;(await stream.next()).respond({status: 503, headers: {'retry-after': 'Sat, 21 Nov 2026 12:00:12 GMT'}, body: ''})
    await until(() => log.length === 2, 'reconnecting')
    expect(log[1]).toBe('reconnecting:1:12000')
  })

  it('is clamped to maxRetryAfter', async () => {
    const stream = mockStream()
    const source = openSource({maxRetryAfter: 60_000})
    const log = record(source)
    ;(await stream.next()).respond({status: 429, headers: {'retry-after': '86400'}, body: ''})
    await until(() => log.length === 2, 'reconnecting')
    expect(log[1]).toBe('reconnecting:1:60000')
  })

  it('never shortens the backoff', async () => {
    const stream = mockStream()
    const source = openSource({retryDelay: 10_000})
    const log = record(source)
    ;(await stream.next()).respond({status: 503, headers: {'retry-after': '1'}, body: ''})
    await until(() => log.length === 2, 'reconnecting')
    expect(log[1]).toBe('reconnecting:1:10000')
  })
})

describe('[ext] shouldRetry', () => {
  beforeEach(() => useFakeClock())

  it('can retry a status Holdfast would not, and refresh the token first (async)', async () => {
    const stream = mockStream()
    let token = 'expired'
    const shouldRetry = vi.fn(async (error: HoldfastError) => {
      if (error.status !== 401) return undefined
      await Promise.resolve()
      token = 'fresh'
      return true
    })
    const source = openSource({retryDelay: 100, shouldRetry, headers: () => ({authorization: `Bearer ${token}`})})
    const log = record(source)
    const first = await stream.next()
    expect(first.request.headers.get('authorization')).toBe('Bearer expired')
    first.respond({status: 401, body: 'token expired'})
    await until(() => log.length === 2, 'reconnecting')
    expect(log).toEqual(['error:0:http-status', 'reconnecting:1:100'])
    expect(shouldRetry).toHaveBeenCalledWith(expect.objectContaining({code: 'http-status', status: 401}), 1)
    await vi.advanceTimersByTimeAsync(100)
    const second = await stream.open()
    expect(second.request.headers.get('authorization')).toBe('Bearer fresh')
    await until(() => source.readyState === EventSource.OPEN, 'open')
  })

  it('can stop a retry Holdfast would make; undefined keeps the default', async () => {
    const stream = mockStream()
    const source = openSource({shouldRetry: (error) => (error.status === 503 ? false : undefined)})
    const log = record(source)
    ;(await stream.next()).respond({status: 503, body: ''})
    await until(() => log.length === 1, 'the error')
    expect(log).toEqual(['error:2:http-status'])

    const other = mockStream('http://sse.test/other')
    const kept = openSource({retryDelay: 5, shouldRetry: () => undefined}, 'http://sse.test/other')
    const keptLog = record(kept)
    ;(await other.next()).respond({status: 500, body: ''})
    await until(() => keptLog.length === 2, 'reconnecting')
    expect(keptLog).toEqual(['error:0:http-status', 'reconnecting:1:5'])
  })

  it('counts a hook that throws or rejects as false', async () => {
    const stream = mockStream()
    const throwing = openSource({
      shouldRetry: () => {
        throw new Error('bug in hook')
      },
    })
    const log = record(throwing)
    ;(await stream.next()).respond({status: 500, body: ''})
    await until(() => log.length === 1, 'the error')
    expect(log).toEqual(['error:2:http-status'])

    const other = mockStream('http://sse.test/other')
    const rejecting = openSource({shouldRetry: async () => Promise.reject(new Error('nope'))}, 'http://sse.test/other')
    const otherLog = record(rejecting)
    ;(await other.next()).respond({status: 500, body: ''})
    await until(() => otherLog.length === 1, 'the error')
    expect(otherLog).toEqual(['error:2:http-status'])
  })

  it('close() while an async hook is pending wins: no event, no reconnect', async () => {
    const stream = mockStream()
    let answer!: (retry: boolean) => void
    const source = openSource({shouldRetry: () => new Promise<boolean>((resolve) => (answer = resolve))})
    const log = record(source)
    ;(await stream.next()).respond({status: 500, body: ''})
    await until(() => answer !== undefined, 'the hook is called')
    expect(source.readyState).toBe(EventSource.CONNECTING)
    source.close()
    answer(true)
    await flush()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(log).toEqual([])
    expect(stream.connections).toHaveLength(1)
  })
})
