import {describe, expect, it, vi} from 'vitest'
import {EventSource, HoldfastError, defaultOptions} from '../src/index'
import type {HoldfastEventSourceInit} from '../src/index'

describe('options', () => {
  it.each<[string, HoldfastEventSourceInit, string]>([
    ['idleTimeout', {idleTimeout: -1}, '`idleTimeout` must be a number from 0 to 2147483647, got -1'],
    ['idleTimeout', {idleTimeout: Number.NaN}, '`idleTimeout` must be a number from 0 to 2147483647'],
    // setTimeout fires at once for longer delays: a "never" of 1e10 would re-arm the watchdog in a tight loop.
    ['idleTimeout', {idleTimeout: 1e10}, '`idleTimeout` must be a number from 0 to 2147483647'],
    ['retryDelay', {retryDelay: Infinity}, '`retryDelay` must be a number from 0 to 2147483647'],
    ['retryDelay', {retryDelay: 2 ** 31}, '`retryDelay` must be a number from 0 to 2147483647'],
    ['maxRetryAfter', {maxRetryAfter: 2 ** 40}, '`maxRetryAfter` must be a number from 0 to'],
    ['stableAfter', {stableAfter: 2 ** 40}, '`stableAfter` must be a number from 0 to'],
    [
      'maxRetryDelay',
      {maxRetryDelay: '5' as unknown as number},
      '`maxRetryDelay` must be a number from 0 to 2147483647, got 5',
    ],
    ['backoffFactor', {backoffFactor: 0.5}, '`backoffFactor` must be a number >= 1, got 0.5'],
    ['jitter', {jitter: 2}, '`jitter` must be a number from 0 to 1, got 2'],
    ['maxAttempts', {maxAttempts: 1.5}, '`maxAttempts` must be an integer >= 0 or Infinity, got 1.5'],
    ['dedupe', {dedupe: -3}, '`dedupe` must be an integer >= 0, got -3'],
    ['maxEventSize', {maxEventSize: 0}, '`maxEventSize` must be an integer > 0, got 0'],
    [
      'retryStatuses',
      {retryStatuses: [503, 999]},
      '`retryStatuses` must be an array of HTTP statuses (100-599), got 503,999',
    ],
    [
      'lastEventIdIn',
      {lastEventIdIn: 'cookie' as 'query'},
      "`lastEventIdIn` must be 'header', 'query' or 'both', got cookie",
    ],
    ['lastEventIdParam', {lastEventIdParam: ''}, '`lastEventIdParam` must be a non-empty string, got '],
    ['lastEventId', {lastEventId: 5 as unknown as string}, '`lastEventId` must be a string, got 5'],
    ['method', {method: 'GET /x'}, '`method` must be an HTTP method, got GET /x'],
    ['body', {body: 'x'}, 'a GET request cannot have a `body`'],
    [
      'headers',
      {headers: 'Bearer x' as unknown as HeadersInit},
      '`headers` must be an object, array of pairs or function, got Bearer x',
    ],
    ['fetch', {fetch: {} as typeof fetch}, '`fetch` must be a function, got [object Object]'],
    ['shouldRetry', {shouldRetry: true as unknown as () => boolean}, '`shouldRetry` must be a function, got true'],
    ['pauseWhenHidden', {pauseWhenHidden: -5}, '`pauseWhenHidden` must be false or ms from 0 to 2147483647'],
    ['pauseWhenHidden', {pauseWhenHidden: 1e10}, '`pauseWhenHidden` must be false or ms from 0 to 2147483647'],
    ['persistLastEventId', {persistLastEventId: ''}, '`persistLastEventId` must be a key or {key, storage}, got '],
    [
      'persistLastEventId',
      {persistLastEventId: 'key'},
      '`persistLastEventId` needs a `storage`: there is no `sessionStorage`',
    ],
  ])('rejects a bad %s with a typed error that names it, before any request', (_name, init, message) => {
    const fetch = vi.fn()
    let error: unknown
    try {
      new EventSource('http://sse.test/stream', {...init, ...('fetch' in init ? {} : {fetch})})
    } catch (caught) {
      error = caught
    }
    expect(HoldfastError.is(error)).toBe(true)
    expect(error).toMatchObject({code: 'invalid-option'})
    expect((error as Error).message).toContain(message)
    expect(fetch).not.toHaveBeenCalled()
  })

  it('keeps the default for an option given as undefined', async () => {
    const fetch = vi.fn(async () => new Response(null, {status: 204}))
    const source = new EventSource('http://sse.test/stream', {fetch, idleTimeout: undefined, method: undefined})
    await vi.waitFor(() => expect(fetch).toHaveBeenCalled())
    expect(fetch).toHaveBeenCalledWith('http://sse.test/stream', expect.objectContaining({method: 'GET'}))
    source.close()
  })

  it('rejects a non-object init', () => {
    expect(() => new EventSource('http://sse.test/', 5 as unknown as HoldfastEventSourceInit)).toThrow(
      expect.objectContaining({code: 'invalid-option'}),
    )
  })

  it('exposes its defaults, frozen', () => {
    expect(Object.isFrozen(defaultOptions)).toBe(true)
    expect(defaultOptions).toMatchObject({idleTimeout: 45_000, retryDelay: 1000, backoffFactor: 2, jitter: 0.5})
  })
})
