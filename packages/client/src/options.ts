import {HoldfastError} from './errors'
import type {Environment, HeadersOption, HoldfastEventSourceInit, LastEventIdTransport, StorageLike} from './types'

/** Every default in one place. The README's options table is checked against this object by a test. */
export const defaultOptions = Object.freeze({
  withCredentials: false,
  method: 'GET',
  lastEventId: '',
  lastEventIdIn: 'header' as LastEventIdTransport,
  lastEventIdParam: 'lastEventId',
  idleTimeout: 45_000,
  retryDelay: 1_000,
  backoffFactor: 2,
  maxRetryDelay: 30_000,
  jitter: 0.5,
  maxAttempts: Infinity,
  stableAfter: 5_000,
  retryStatuses: Object.freeze([408, 429, 500, 502, 503, 504]) as readonly number[],
  maxRetryAfter: 300_000,
  retryNonGet: false,
  dedupe: 0,
  maxEventSize: 8 * 1024 * 1024,
  networkAware: true,
  pauseWhenHidden: false as number | false,
})

/** Options after validation, with every default applied. */
export interface NormalizedOptions {
  withCredentials: boolean
  headers: HeadersOption | undefined
  method: string
  body: BodyInit | null | undefined
  fetch: typeof globalThis.fetch | undefined
  lastEventId: string
  lastEventIdIn: LastEventIdTransport
  lastEventIdParam: string
  persist: {key: string; storage: StorageLike} | undefined
  idleTimeout: number
  retryDelay: number
  backoffFactor: number
  maxRetryDelay: number
  jitter: number
  maxAttempts: number
  stableAfter: number
  retryStatuses: ReadonlySet<number>
  maxRetryAfter: number
  shouldRetry: HoldfastEventSourceInit['shouldRetry']
  retryNonGet: boolean
  dedupe: number
  maxEventSize: number
  networkAware: boolean
  pauseWhenHidden: number | false
  environment: Environment | undefined
  random: () => number
}

function invalid(message: string): never {
  throw new HoldfastError('invalid-option', `Invalid EventSource option: ${message}`)
}

function duration(name: string, value: number | undefined, fallback: number, allowInfinity = false): number {
  if (value === undefined) return fallback
  const ok =
    typeof value === 'number' && value >= 0 && (Number.isFinite(value) || (allowInfinity && value === Infinity))
  if (!ok) invalid(`\`${name}\` must be a non-negative number of milliseconds, got ${String(value)}`)
  return value
}

function count(name: string, value: number | undefined, fallback: number, allowInfinity = false): number {
  if (value === undefined) return fallback
  const ok =
    typeof value === 'number' && value >= 0 && (Number.isInteger(value) || (allowInfinity && value === Infinity))
  if (!ok)
    invalid(`\`${name}\` must be a non-negative integer${allowInfinity ? ' or Infinity' : ''}, got ${String(value)}`)
  return value
}

function oneOf<T extends string>(name: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback
  if (!allowed.includes(value))
    invalid(`\`${name}\` must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${String(value)}`)
  return value
}

function optionalFunction<F>(name: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function') invalid(`\`${name}\` must be a function`)
  return value
}

function persistence(value: HoldfastEventSourceInit['persistLastEventId']): NormalizedOptions['persist'] {
  if (value === undefined) return undefined
  const {key, storage} = typeof value === 'string' ? {key: value, storage: undefined} : value
  if (typeof key !== 'string' || key === '') invalid('`persistLastEventId` needs a non-empty storage key')
  const store = storage ?? (globalThis as {sessionStorage?: StorageLike}).sessionStorage
  if (!store) invalid('`persistLastEventId` needs a `storage` where `sessionStorage` does not exist')
  return {key, storage: store}
}

/** Validates `init` and applies the defaults; throws a HoldfastError `invalid-option` naming the bad option. */
export function normalizeOptions(init: HoldfastEventSourceInit = {}): NormalizedOptions {
  if (typeof init !== 'object' || init === null) invalid('the second argument must be an object')
  const d = defaultOptions
  const method = (init.method ?? d.method).toUpperCase()
  if (!/^[!#$%&'*+.^_`|~0-9A-Z-]+$/.test(method)) invalid(`\`method\` is not an HTTP method: ${String(init.method)}`)
  if ((method === 'GET' || method === 'HEAD') && init.body != null)
    invalid(`a ${method} request cannot have a \`body\``)
  if (init.lastEventId !== undefined && typeof init.lastEventId !== 'string') invalid('`lastEventId` must be a string')
  if (
    init.lastEventIdParam !== undefined &&
    (typeof init.lastEventIdParam !== 'string' || init.lastEventIdParam === '')
  )
    invalid('`lastEventIdParam` must be a non-empty string')
  const headers = init.headers
  if (headers !== undefined && (headers === null || (typeof headers !== 'object' && typeof headers !== 'function')))
    invalid('`headers` must be an object, a Headers, an array of pairs, or a function')
  const retryStatuses = init.retryStatuses ?? d.retryStatuses
  if (!Array.isArray(retryStatuses) || !retryStatuses.every((s) => Number.isInteger(s) && s >= 100 && s <= 599))
    invalid('`retryStatuses` must be an array of HTTP status codes (100-599)')
  const jitter = init.jitter ?? d.jitter
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1))
    invalid(`\`jitter\` must be between 0 and 1, got ${String(jitter)}`)
  const backoffFactor = init.backoffFactor ?? d.backoffFactor
  if (typeof backoffFactor !== 'number' || !(backoffFactor >= 1 && Number.isFinite(backoffFactor)))
    invalid(`\`backoffFactor\` must be a finite number >= 1, got ${String(backoffFactor)}`)
  const pauseWhenHidden = init.pauseWhenHidden ?? d.pauseWhenHidden
  if (pauseWhenHidden !== false) duration('pauseWhenHidden', pauseWhenHidden, 0)
  const maxEventSize = count('maxEventSize', init.maxEventSize, d.maxEventSize)
  if (maxEventSize < 1) invalid('`maxEventSize` must be at least 1')

  return {
    withCredentials: Boolean(init.withCredentials ?? d.withCredentials),
    headers,
    method,
    body: init.body,
    fetch: optionalFunction('fetch', init.fetch),
    lastEventId: init.lastEventId ?? d.lastEventId,
    lastEventIdIn: oneOf('lastEventIdIn', init.lastEventIdIn, ['header', 'query', 'both'], d.lastEventIdIn),
    lastEventIdParam: init.lastEventIdParam ?? d.lastEventIdParam,
    persist: persistence(init.persistLastEventId),
    idleTimeout: duration('idleTimeout', init.idleTimeout, d.idleTimeout),
    retryDelay: duration('retryDelay', init.retryDelay, d.retryDelay),
    backoffFactor,
    maxRetryDelay: duration('maxRetryDelay', init.maxRetryDelay, d.maxRetryDelay),
    jitter,
    maxAttempts: count('maxAttempts', init.maxAttempts, d.maxAttempts, true),
    stableAfter: duration('stableAfter', init.stableAfter, d.stableAfter),
    retryStatuses: new Set(retryStatuses),
    maxRetryAfter: duration('maxRetryAfter', init.maxRetryAfter, d.maxRetryAfter),
    shouldRetry: optionalFunction('shouldRetry', init.shouldRetry),
    retryNonGet: Boolean(init.retryNonGet ?? d.retryNonGet),
    dedupe: count('dedupe', init.dedupe, d.dedupe),
    maxEventSize,
    networkAware: Boolean(init.networkAware ?? d.networkAware),
    pauseWhenHidden,
    environment: init.environment,
    random: optionalFunction('random', init.random) ?? Math.random,
  }
}
