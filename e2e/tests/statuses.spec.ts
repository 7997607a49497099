// How a reconnection is answered: retryable statuses, Retry-After, 204, 401 with a token refresh, a wrong content type.
import type {Fault} from '@holdfast/test-server'
import {holdfast} from '../engines/differences'
import {needs, type EngineName} from '../engines/engines'
import {delivered, expect, openStreams, publish, requests, sentIds, test} from '../fixtures'
import type {ChannelScope} from '@holdfast/test-server'

/**
 * The trace of a healthy stream that delivered events 1 and 2, then dropped (the first step of every test here), with
 * the engine's code for a cut stream (engines/differences.ts).
 */
function dropped(engine: EngineName): string[] {
  const cut = holdfast[engine].cutCode
  return ['open 1', ...delivered(1, 2), `error 0 ${cut}`, `reconnecting 0 attempt=1 delay=50 ${cut}`]
}

/** Has the server answer the next `times` requests with `fault`, drops the stream, and publishes one more event. */
function failReconnects(sse: ChannelScope, fault: Fault, times = 1): void {
  sse.inject({...fault, times})
  sse.inject({type: 'drop'})
  publish(sse, 1)
}

test('a 502 from the load balancer: native closes for good; Holdfast backs off and resumes with no gap', async ({
  harness,
  sse,
  engine,
}) => {
  const {native, holdfast} = await openStreams(harness, sse, {native: true})
  sse.inject({type: 'status', status: 502, times: 3})
  // The native source first: its one reconnection takes one 502, and it gives up.
  sse.inject({type: 'drop'}, {connection: native!.id})
  await expect.poll(() => harness.readyState('native')).toBe(2)
  expect(await harness.trace('native')).toEqual(['open 1', ...delivered(1, 2), 'error 0', 'error 2'])

  sse.inject({type: 'drop'}, {connection: holdfast.id})
  publish(sse, 2)
  await expect.poll(() => harness.ids('holdfast')).toEqual(sentIds(sse))
  expect(await harness.trace('holdfast')).toEqual([
    ...dropped(engine.name),
    'error 0 http-status 502',
    'reconnecting 0 attempt=2 delay=100 http-status',
    'error 0 http-status 502',
    'reconnecting 0 attempt=3 delay=200 http-status',
    'open 1',
    ...delivered(3, 4),
  ])
  expect(requests(sse.connections())).toEqual([
    {status: 200},
    {status: 200},
    {status: 502, lastEventId: '2'}, // native
    {status: 502, lastEventId: '2'},
    {status: 502, lastEventId: '2'},
    {status: 200, lastEventId: '2'},
  ])
  expect(await harness.readyState('native')).toBe(2)
})

for (const status of [500, 429]) {
  test(`a ${status}: Holdfast retries with exponential backoff and resumes with no gap`, async ({
    harness,
    sse,
    engine,
  }) => {
    await openStreams(harness, sse)
    failReconnects(sse, {type: 'status', status}, 2)

    await expect.poll(() => harness.ids('holdfast')).toEqual(sentIds(sse))
    expect(await harness.trace('holdfast')).toEqual([
      ...dropped(engine.name),
      `error 0 http-status ${status}`,
      'reconnecting 0 attempt=2 delay=100 http-status',
      `error 0 http-status ${status}`,
      'reconnecting 0 attempt=3 delay=200 http-status',
      'open 1',
      ...delivered(3),
    ])
    expect(requests(sse.connections())).toEqual([
      {status: 200},
      {status, lastEventId: '2'},
      {status, lastEventId: '2'},
      {status: 200, lastEventId: '2'},
    ])
  })
}

test(
  'a 503 with Retry-After: 120 holds the reconnection exactly two minutes (on the page clock)',
  {tag: needs.clock},
  async ({harness, sse, page, engine}) => {
    await page.clock.install()
    await harness.goto(sse.server.url)
    await page.clock.pauseAt(Date.now() + 1_000) // from here, the page's timers run only when the test says so
    await openStreams(harness, sse)

    failReconnects(sse, {type: 'status', status: 503, retryAfter: 120})
    await expect.poll(() => harness.trace('holdfast')).toContain('reconnecting 0 attempt=1 delay=50 network')
    await page.clock.runFor(50)
    await expect.poll(() => harness.trace('holdfast')).toContain('reconnecting 0 attempt=2 delay=120000 http-status')

    // Backoff alone would retry after 100 ms; the server asked for 120 s, and not one ms less is taken.
    await page.clock.runFor(119_999)
    expect((await harness.stats('holdfast')).reconnects).toBe(1)
    expect(await harness.readyState('holdfast')).toBe(0)
    await page.clock.runFor(1)
    await expect.poll(() => harness.ids('holdfast')).toEqual(sentIds(sse))
    expect(await harness.trace('holdfast')).toEqual([
      ...dropped(engine.name),
      'error 0 http-status 503',
      'reconnecting 0 attempt=2 delay=120000 http-status',
      'open 1',
      ...delivered(3),
    ])
    expect(requests(sse.connections())).toEqual([
      {status: 200},
      {status: 503, lastEventId: '2'},
      {status: 200, lastEventId: '2'},
    ])
  },
)

const finalAnswers: Array<{what: string; fault: Fault; error: string}> = [
  {what: 'a 204 No Content', fault: {type: 'status', status: 204}, error: 'error 2 no-content 204'},
  {
    what: 'a 200 with the wrong content type (a proxy error page)',
    fault: {type: 'content-type', contentType: 'text/html; charset=utf-8'},
    error: 'error 2 content-type 200',
  },
]

for (const {what, fault, error} of finalAnswers) {
  test(`${what} stops both sources for good, as the spec says`, async ({harness, sse, engine}) => {
    await openStreams(harness, sse, {native: true})

    sse.inject({...fault, times: 2})
    sse.inject({type: 'drop', times: 2})
    await expect.poll(() => harness.readyState('holdfast')).toBe(2)
    await expect.poll(() => harness.readyState('native')).toBe(2)
    expect(await harness.trace('holdfast')).toEqual([...dropped(engine.name), error])
    expect(await harness.trace('native')).toEqual(['open 1', ...delivered(1, 2), 'error 0', 'error 2'])
    const status = fault.type === 'status' ? fault.status : 200
    expect(requests(sse.connections())).toEqual([
      {status: 200},
      {status: 200},
      {status, lastEventId: '2'},
      {status, lastEventId: '2'},
    ])
  })

  test(
    `${what}: Holdfast never tries again (ten minutes on the page clock)`,
    {tag: needs.clock},
    async ({harness, sse, page, engine}) => {
      await page.clock.install()
      await harness.goto(sse.server.url)
      await openStreams(harness, sse)

      sse.inject({...fault, times: 1})
      sse.inject({type: 'drop'})
      await expect.poll(() => harness.readyState('holdfast')).toBe(2)
      expect(await harness.trace('holdfast')).toEqual([...dropped(engine.name), error])

      // Ten minutes later on the page clock: no timer was left to fire, no attempt was made.
      await page.clock.pauseAt(Date.now() + 1_000)
      await page.clock.runFor(600_000)
      expect((await harness.stats('holdfast')).reconnects).toBe(1)
      const status = fault.type === 'status' ? fault.status : 200
      expect(requests(sse.connections())).toEqual([{status: 200}, {status, lastEventId: '2'}])
    },
  )
}

test('a 401: shouldRetry refreshes the token and the next attempt sends it in fresh headers', async ({
  harness,
  sse,
  engine,
}) => {
  const {holdfast: first} = await openStreams(harness, sse, {how: {preset: 'token-refresh'}})
  failReconnects(sse, {type: 'status', status: 401})

  await expect.poll(() => harness.ids('holdfast')).toEqual(sentIds(sse))
  expect(await harness.trace('holdfast')).toEqual([
    ...dropped(engine.name),
    'token-refresh 0 token-2', // shouldRetry runs before the error event
    'error 0 http-status 401',
    'reconnecting 0 attempt=2 delay=100 http-status',
    'open 1',
    ...delivered(3),
  ])
  const seen = sse.connections()
  expect(requests(seen)).toEqual([{status: 200}, {status: 401, lastEventId: '2'}, {status: 200, lastEventId: '2'}])
  expect(seen.map((connection) => connection.headers.authorization)).toEqual([
    'Bearer token-1',
    'Bearer token-1',
    'Bearer token-2',
  ])
  expect(first.headers.authorization).toBe('Bearer token-1')
})
