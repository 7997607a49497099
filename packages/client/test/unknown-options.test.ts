import {afterEach, beforeEach, describe, expect, it, vi, type MockInstance} from 'vitest'
import {EventSource, type HoldfastEventSourceInit} from '../src/index'
import {json} from '../src/parse'
import {SharedEventSource} from '../src/shared'
import {closest} from '../src/unknown-option'
import {FakeBrowser} from './fake-tabs'
import {STREAM_URL, until} from './harness'

/** Never reached: every source here is closed at once (or never connects), and nothing is served. */
const fetch: typeof globalThis.fetch = () => new Promise(() => {})

let warn: MockInstance<typeof console.warn>
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
})
afterEach(() => warn.mockRestore())

const warnings = (): string[] => warn.mock.calls.map(([message]) => String(message))

/** Opens and closes a source with `init`. */
function construct(init: HoldfastEventSourceInit): void {
  new EventSource(STREAM_URL, {fetch, ...init}).close()
}

/** Waits until the warning about `sentinel`, a name no other test uses, came: every earlier one came before it. */
async function settled(sentinel: string): Promise<void> {
  construct({[sentinel]: 1} as HoldfastEventSourceInit)
  await until(() => warnings().some((message) => message.includes(`\`${sentinel}\``)), `the warning about ${sentinel}`)
}

describe('[ext] unknown option names', () => {
  it('warn once per name, naming the closest valid option; the source works as if the key were absent', async () => {
    const init = {idleTimout: 1000, header: {authorization: 'x'}, retrydelay: 5} as HoldfastEventSourceInit
    const source = new EventSource(STREAM_URL, {fetch, ...init})
    expect(source.readyState).toBe(EventSource.CONNECTING)
    source.close()
    construct(init) // the same names again: no second warning
    await settled('sentinelOne')
    expect(warnings()).toEqual([
      'Holdfast: unknown EventSource option `idleTimout` ignored; did you mean `idleTimeout`?',
      'Holdfast: unknown EventSource option `header` ignored; did you mean `headers`?',
      'Holdfast: unknown EventSource option `retrydelay` ignored; did you mean `retryDelay`?',
      'Holdfast: unknown EventSource option `sentinelOne` ignored',
    ])
  })

  it('nothing for a valid option, an undefined value, a symbol key, or the options of a SharedEventSource', async () => {
    const every: Required<HoldfastEventSourceInit> = {
      withCredentials: false,
      headers: {},
      method: 'POST',
      body: 'x',
      fetch,
      lastEventId: '',
      lastEventIdIn: 'header',
      lastEventIdParam: 'lastEventId',
      persistLastEventId: {key: 'k', storage: new Map() as never},
      idleTimeout: 1,
      retryDelay: 1,
      backoffFactor: 1,
      maxRetryDelay: 1,
      jitter: 0,
      maxAttempts: 1,
      stableAfter: 1,
      retryStatuses: [],
      maxRetryAfter: 1,
      shouldRetry: () => undefined,
      retryNonGet: false,
      dedupe: 0,
      maxEventSize: 1,
      networkAware: false,
      pauseWhenHidden: false,
      environment: {isOnline: () => true, isHidden: () => false, subscribe: () => () => {}},
      random: Math.random,
      transport: (() => ({})) as never,
      signal: AbortSignal.abort(),
      parse: json,
    }
    construct(every)
    construct({idleTimeoutt: undefined, [Symbol('mine')]: 1} as HoldfastEventSourceInit)
    new SharedEventSource(STREAM_URL, {fetch, shareKey: 'u', sharing: new FakeBrowser().tab().environment}).close()
    await settled('sentinelTwo')
    expect(warnings()).toEqual(['Holdfast: unknown EventSource option `sentinelTwo` ignored'])
  })
})

describe('closest', () => {
  const names = ['idleTimeout', 'headers', 'retryDelay', 'jitter', 'dedupe', 'method', 'body']
  it.each([
    ['idleTimout', 'idleTimeout'], // a letter left out
    ['header', 'headers'],
    ['IdleTimeOut', 'idleTimeout'], // letter case aside
    ['retry_delay', 'retryDelay'],
    ['jiter', 'jitter'],
    ['dedup', 'dedupe'],
    ['idle', undefined], // too far from anything
    ['bdy', 'body'], // one edit is allowed at any length
    ['mehtod', 'method'], // a swap is two edits: allowed from six letters on
    ['foo', undefined],
  ])('%s → %s', (name, expected) => {
    expect(closest(name, names)).toBe(expected)
  })
})
