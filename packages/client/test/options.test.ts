import {describe, expect, it, vi} from 'vitest'
import {EventSource, HoldfastError, defaultOptions} from '../src/index'
import type {HoldfastEventSourceInit} from '../src/index'

describe('options', () => {
  it.each<[string, HoldfastEventSourceInit, string]>([
    ['idleTimeout', {idleTimeout: -1}, '`idleTimeout` must be a non-negative number of milliseconds, got -1'],
    ['idleTimeout', {idleTimeout: Number.NaN}, '`idleTimeout` must be a non-negative number of milliseconds, got NaN'],
    ['retryDelay', {retryDelay: Infinity}, '`retryDelay` must be a non-negative number of milliseconds, got Infinity'],
    ['maxRetryDelay', {maxRetryDelay: '5' as unknown as number}, '`maxRetryDelay` must be a non-negative number'],
    ['backoffFactor', {backoffFactor: 0.5}, '`backoffFactor` must be a finite number >= 1, got 0.5'],
    ['jitter', {jitter: 2}, '`jitter` must be between 0 and 1, got 2'],
    ['maxAttempts', {maxAttempts: 1.5}, '`maxAttempts` must be a non-negative integer or Infinity, got 1.5'],
    ['dedupe', {dedupe: -3}, '`dedupe` must be a non-negative integer, got -3'],
    ['maxEventSize', {maxEventSize: 0}, '`maxEventSize` must be at least 1'],
    ['retryStatuses', {retryStatuses: [503, 999]}, '`retryStatuses` must be an array of HTTP status codes (100-599)'],
    [
      'lastEventIdIn',
      {lastEventIdIn: 'cookie' as 'query'},
      "`lastEventIdIn` must be one of 'header', 'query', 'both', got cookie",
    ],
    ['lastEventIdParam', {lastEventIdParam: ''}, '`lastEventIdParam` must be a non-empty string'],
    ['lastEventId', {lastEventId: 5 as unknown as string}, '`lastEventId` must be a string'],
    ['method', {method: 'GET /x'}, '`method` is not an HTTP method: GET /x'],
    ['body', {body: 'x'}, 'a GET request cannot have a `body`'],
    [
      'headers',
      {headers: 'Bearer x' as unknown as HeadersInit},
      '`headers` must be an object, a Headers, an array of pairs, or a function',
    ],
    ['fetch', {fetch: {} as typeof fetch}, '`fetch` must be a function'],
    ['shouldRetry', {shouldRetry: true as unknown as () => boolean}, '`shouldRetry` must be a function'],
    [
      'pauseWhenHidden',
      {pauseWhenHidden: -5},
      '`pauseWhenHidden` must be a non-negative number of milliseconds, got -5',
    ],
    ['persistLastEventId', {persistLastEventId: ''}, '`persistLastEventId` needs a non-empty storage key'],
    [
      'persistLastEventId',
      {persistLastEventId: 'key'},
      '`persistLastEventId` needs a `storage` where `sessionStorage` does not exist',
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
