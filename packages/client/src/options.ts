import {HoldfastError} from './errors'
import type {ConnectionSink} from './connection-types'
import type {TransportStrategy} from './transport-strategy'
import type {Environment, HeadersOption, HoldfastEventSourceInit, LastEventIdTransport, StorageLike} from './types'

/** The options that have a default value. */
export interface Defaults {
  withCredentials: boolean
  method: string
  lastEventId: string
  lastEventIdIn: LastEventIdTransport
  lastEventIdParam: string
  idleTimeout: number
  retryDelay: number
  backoffFactor: number
  maxRetryDelay: number
  jitter: number
  maxAttempts: number
  stableAfter: number
  retryStatuses: readonly number[]
  maxRetryAfter: number
  retryNonGet: boolean
  dedupe: number
  maxEventSize: number
  networkAware: boolean
  pauseWhenHidden: number | false
}

/** Every default in one place. The README's options table is checked against this object by a test. */
export const defaultOptions: Readonly<Defaults> = Object.freeze({
  withCredentials: false,
  method: 'GET',
  lastEventId: '',
  lastEventIdIn: 'header',
  lastEventIdParam: 'lastEventId',
  idleTimeout: 45_000,
  retryDelay: 1_000,
  backoffFactor: 2,
  maxRetryDelay: 30_000,
  jitter: 0.5,
  maxAttempts: Infinity,
  stableAfter: 5_000,
  retryStatuses: Object.freeze([408, 429, 500, 502, 503, 504]),
  maxRetryAfter: 300_000,
  retryNonGet: false,
  dedupe: 0,
  maxEventSize: 8 * 1024 * 1024,
  networkAware: true,
  pauseWhenHidden: false,
})

/** A parse step as the source calls it (`@holdfast/client/parse` makes them): it wraps the connection's sink. */
export interface ParseStepOf {
  wrap(sink: ConnectionSink, source: EventTarget & {readonly url: string}): ConnectionSink
}

/** Options after validation, with every default applied. */
export interface NormalizedOptions extends Defaults {
  headers?: HeadersOption
  body?: BodyInit | null
  fetch?: typeof globalThis.fetch
  persist?: {key: string; storage: StorageLike}
  shouldRetry?: HoldfastEventSourceInit['shouldRetry']
  transport?: TransportStrategy
  environment?: Environment
  random: () => number
  signal?: AbortSignal
  parse?: ParseStepOf
}

/**
 * The largest number an option takes, and the longest delay a timer can wait: `setTimeout` fires at once for
 * anything longer (a signed 32-bit int), so a "never" of 1e10 would become a tight loop.
 */
export const MAX_DELAY = 2 ** 31 - 1

const aFunction: Rule = [(v) => typeof v === 'function', 'a function']

/**
 * Checks beyond "the same type as the default" (see `hasDefaultType`): `[test, what it expects]`. Options
 * without a default are only accepted with a rule.
 */
type Rule = [test: (value: never) => unknown, expected: string]
export const rules: Record<string, Rule> = {
  method: [(v: string) => /^[!#$%&'*+.^_`|~\w-]+$/.test(v), 'an HTTP method'],
  lastEventIdIn: [(v: string) => /^(header|query|both)$/.test(v), "'header', 'query' or 'both'"],
  lastEventIdParam: [(v: string) => v, 'a non-empty string'],
  backoffFactor: [(v: number) => v >= 1, 'a number >= 1'],
  jitter: [(v: number) => v <= 1, 'a number from 0 to 1'],
  maxAttempts: [(v: number) => v === Infinity || Number.isInteger(v), 'an integer >= 0 or Infinity'],
  dedupe: [Number.isInteger, 'an integer >= 0'],
  maxEventSize: [(v: number) => Number.isInteger(v) && v > 0, 'an integer > 0'],
  retryStatuses: [(v: number[]) => v.every((s) => s >= 100 && s <= 599), 'an array of HTTP statuses (100-599)'],
  pauseWhenHidden: [(v: number | false) => v === false || hasDefaultType(v, 0), `false or ms from 0 to ${MAX_DELAY}`],
  headers: [(v: object) => v && /^(object|function)$/.test(typeof v), 'an object, array of pairs or function'],
  environment: [(v: Environment) => typeof v?.subscribe === 'function', 'an Environment'],
  persistLastEventId: [(v: string | {key: string}) => (typeof v === 'string' ? v : v?.key), 'a key or {key, storage}'],
  body: [() => true, ''],
  fetch: aFunction,
  shouldRetry: aFunction,
  transport: aFunction,
  random: aFunction,
  parse: [(v: ParseStepOf) => typeof v?.wrap === 'function', 'a parse step from @holdfast/client/parse'],
  signal: [(v: AbortSignal) => typeof v?.aborted === 'boolean', 'an AbortSignal'],
}

/** Whether `value` has its default's type: numbers from 0 to MAX_DELAY, or Infinity where that is the default. */
function hasDefaultType(value: unknown, fallback: unknown): boolean {
  if (typeof fallback === 'number')
    return typeof value === 'number' && value >= 0 && (value <= MAX_DELAY || fallback === value)
  if (typeof fallback === 'string') return typeof value === 'string'
  return !Array.isArray(fallback) || Array.isArray(value) // boolean options are used as truthy or falsy
}

function invalid(message: string): never {
  throw new HoldfastError('invalid-option', `Invalid EventSource option: ${message}`)
}

/** The storage behind a string `persistLastEventId`: `sessionStorage`, or `null` where reading it throws. */
function sessionStorageOrNull(): StorageLike | null | undefined {
  try {
    return (globalThis as {sessionStorage?: StorageLike}).sessionStorage
  } catch {
    return null // sandboxed frames, storage-blocked documents: persistence degrades to memory
  }
}

/**
 * Validates `init` and applies the defaults; throws a HoldfastError `invalid-option` naming the bad option.
 * [spec] A `null` or `undefined` dictionary is an empty one (WebIDL).
 */
export function normalizeOptions(init?: HoldfastEventSourceInit | null): NormalizedOptions {
  init ??= {}
  if (typeof init !== 'object') invalid('the second argument must be an object')
  const options: Record<string, unknown> = {...defaultOptions, random: Math.random}
  for (const [key, value] of Object.entries(init)) {
    if (value === undefined) continue // an explicit `undefined` keeps the default
    const fallback = (defaultOptions as Record<string, unknown>)[key]
    const rule = rules[key]
    // [ext] An unknown name is ignored, as JavaScript ignores extra keys, with a warning that names the closest valid
    // one (symbol keys are never looked at). A warning, not an error: code that passes extra keys on purpose works.
    if (!rule && fallback === undefined) void import('./unknown-option').then((module) => module.default(key))
    const [test, expected] = rule ?? [
      () => true,
      typeof fallback === 'number' ? `a number from 0 to ${MAX_DELAY}` : `a ${typeof fallback}`,
    ]
    if (!hasDefaultType(value, fallback) || !test(value as never))
      invalid(`\`${key}\` must be ${expected}, got ${String(value)}`)
    options[key] = value
  }
  const method = (options.method as string).toUpperCase()
  if (/^(GET|HEAD)$/.test(method) && init.body != null) invalid(`a ${method} request cannot have a \`body\``)
  const persist = init.persistLastEventId
  const {key, storage} = typeof persist === 'string' ? {key: persist} : (persist ?? {})
  // Read only when persistence is asked for: reading `sessionStorage` throws in some frames.
  const store = key ? (storage ?? sessionStorageOrNull()) : undefined
  if (key && store === undefined) invalid('`persistLastEventId` needs a `storage`: there is no `sessionStorage`')
  return {...options, method, persist: store ? {key: key!, storage: store} : undefined} as NormalizedOptions
}
