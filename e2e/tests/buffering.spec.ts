// A proxy that buffers streamed responses (nginx with proxy_buffering on, the server's X-Accel-Buffering: no ignored):
// no stream delivers anything through it, whatever the server sends. A long poll gets through, because it ends; and
// Holdfast's automatic transport finds that out by itself.
import {delivered, expect, fast, publish, sentIds} from '../fixtures'
import {proxied, test} from '../support/nginx-test'
import {untilProgressReaches} from '../support/progress'

/** The ids of the events in a text/event-stream body (enough of the format for these tests: `id:` lines). */
function idsIn(body: string): string[] {
  return [...body.matchAll(/^id: (.*)$/gm)].map((match) => match[1]!)
}

test('behind a buffering proxy, native EventSource and Holdfast receive nothing while the server publishes', async ({
  harness,
  sse,
  nginx,
}) => {
  await harness.goto(nginx.url)
  const url = proxied(nginx, 'buffered', sse)
  await harness.open('native', url, {}, {native: true})
  const native = await sse.nextConnection()
  await harness.open('holdfast', url, fast)
  const holdfast = await sse.nextConnection()
  sse.startTicker({intervalMs: 100})

  // The server feeds both streams, heartbeats and events; Holdfast's watchdog gives up twice on a stream that
  // delivers no byte, and the next attempt lands in the same buffer.
  await expect
    .poll(async () => (await harness.trace('holdfast')).filter((line) => line.startsWith('reconnecting')).length)
    .toBeGreaterThanOrEqual(2)
  await expect.poll(() => sse.server.connection(native.id)!.eventsSent).toBeGreaterThanOrEqual(10)
  expect((await sse.waitForClose(holdfast)).eventsSent).toBeGreaterThan(0)
  expect(await harness.trace('native')).toEqual([])
  expect(await harness.readyState('native')).toBe(0) // not even the response head came through
  const trace = await harness.trace('holdfast')
  expect(
    trace.filter((line) => !/^(error 0 idle-timeout|reconnecting 0 attempt=\d+ delay=\d+ idle-timeout)$/.test(line)),
  ).toEqual([])
  expect(await harness.ids('holdfast')).toEqual([])
})

test('through the same proxy, a long poll arrives as soon as it ends: every event once, by id', async ({
  harness,
  sse,
  nginx,
}) => {
  await harness.goto(nginx.url)
  const poll = (query: Record<string, string>) =>
    harness.tab.evaluate(
      async (url) => {
        const response = await fetch(url)
        return {
          status: response.status,
          transport: response.headers.get('x-holdfast-transport'),
          body: await response.text(),
        }
      },
      proxied(nginx, 'buffered', sse, {transport: 'poll', pollTimeoutMs: '5000', ...query}),
    )

  const ids = publish(sse, 3)
  const first = await poll({lastEventId: '0'})
  expect(first).toMatchObject({status: 200, transport: 'poll'})
  expect(idsIn(first.body)).toEqual(ids)

  // A poll with nothing to send waits at the server; the proxy passes its events on once it ends.
  const waiting = poll({lastEventId: ids.at(-1)!})
  await sse.waitForConnection((c) => c.transport === 'poll' && c.lastEventId === '3' && c.state === 'open')
  const more = publish(sse, 2)
  expect(idsIn((await waiting).body)).toEqual(more)

  // Nothing published: the poll ends empty after its timeout, with the heartbeats it waited with.
  const empty = await poll({lastEventId: more.at(-1)!, pollTimeoutMs: '600'})
  expect(idsIn(empty.body)).toEqual([])
  expect(empty.body).toContain(': heartbeat')
  expect(sse.connections().map((c) => c.closeReason)).toEqual(['poll-events', 'poll-events', 'poll-timeout'])
})

test('side by side behind it: native and streaming Holdfast receive nothing, while automatic transport switches to long polls after two idle timeouts and receives all 500 events once, in order', async ({
  harness,
  sse,
  nginx,
}) => {
  // Two idle timeouts of 4 s, then a hundred polls or more through nginx: on a busy machine, more than the default
  // 30 s. Progress is what the test checks (a stall of 10 s fails it); this is only the net for a run that crawls.
  test.setTimeout(90_000)
  await harness.goto(nginx.url)
  const url = (who: string) => proxied(nginx, 'buffered', sse, {who})
  /** What the server saw of one source's requests, in order (told apart by a query parameter nginx passes on). */
  const requestsOf = (who: string) =>
    sse.connections().filter((c) => new URL(c.url, 'http://x').searchParams.get('who') === who)
  await harness.open('native', url('native'), {}, {native: true})
  await harness.open('stream', url('stream'), fast)
  // The watchdog bounds a poll's whole round trip, since the proxy passes the answer on only once it ends: polls of
  // 500 ms under an idle timeout of 4 s leave a busy machine 3.5 s for it (with `fast`'s 1 s, 0.5 s was too little).
  await harness.open('auto', url('auto'), {...fast, idleTimeout: 4_000}, {preset: 'auto-transport-500ms'})

  // Two streaming attempts starved (nothing, not even the response head, within the idle timeout), then long polls.
  // The first poll ends empty after its 500 ms (the proxy passes it on then): OPEN, for good. Two idle timeouts and a
  // poll take 9 s and more, whatever the machine: the wait is the test's net, not expect's 10 s.
  await expect.poll(() => harness.readyState('auto'), {timeout: 60_000}).toBe(1)
  expect(await harness.trace('auto')).toEqual([
    'error 0 idle-timeout',
    'reconnecting 0 attempt=1 delay=50 idle-timeout',
    'error 0 idle-timeout',
    'reconnecting 0 attempt=2 delay=100 idle-timeout',
    'transportchange 0 poll buffering',
    'open 1',
  ])
  // Then polls only: the first ended empty, the next waits (on a busy machine, one more may have begun meanwhile).
  const transports = requestsOf('auto').map((c) => c.transport)
  expect(transports).toEqual(['stream', 'stream', 'poll', ...transports.slice(3).map(() => 'poll')])

  // The server publishes 500 events, ten every 2 ms, while the polls come and go: fifty turns of a timer, so that
  // a busy machine, whose timers run late, still publishes them all within a few seconds.
  for (let burst = 0; burst < 50; burst++) {
    publish(sse, 10)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  const sent = sentIds(sse)
  await untilProgressReaches(async () => (await harness.ids('auto')).length, 500, {
    what: 'automatic transport',
    // Which it was, if it stalls: events held back (the ids so far are the first ones sent) or lost (they are not).
    detail: async () => {
      const ids = await harness.ids('auto')
      const held = ids.every((id, i) => id === sent[i])
      return `${held ? 'held back' : 'lost'}: missing ${sent.filter((id) => !ids.includes(id)).join(', ')}`
    },
  })
  expect(sent).toHaveLength(500)
  expect(await harness.ids('auto')).toEqual(sent)
  const trace = await harness.trace('auto')
  expect(trace.slice(6)).toEqual(delivered(...sent)) // no error, no second open: polls only
  const polls = requestsOf('auto').slice(2)
  expect(polls.every((c) => c.transport === 'poll')).toBe(true)
  test.info().annotations.push({type: 'polls for 500 events', description: String(polls.length)})

  // Meanwhile the others got nothing at all.
  expect(await harness.trace('native')).toEqual([])
  expect(await harness.readyState('native')).toBe(0)
  expect(await harness.ids('stream')).toEqual([])
  expect(
    (await harness.trace('stream')).filter(
      (line) => !/^(error 0 |reconnecting 0 attempt=\d+ delay=\d+ )idle-timeout$/.test(line),
    ),
  ).toEqual([])
  expect(requestsOf('stream').every((c) => c.transport === 'stream')).toBe(true)
})

// Which proxies buffer, exactly (nginx 1.22, Debian's): under proxy buffering (`proxy_buffering on`, its default, and
// no `X-Accel-Buffering: no` from the server) it holds a stream back with its default HTTP/1.0 upstream, or when it
// gzips the stream; with `proxy_http_version 1.1` and no gzip each chunk goes on at once.
test('[NON-SPEC] nginx with proxy_buffering on and an HTTP/1.1 upstream passes every event on at once, to native and Holdfast alike', async ({
  harness,
  sse,
  nginx,
}) => {
  await harness.goto(nginx.url)
  const url = (who: string) => proxied(nginx, 'bufferedHttp11', sse, {who})
  await harness.open('native', url('native'), {}, {native: true})
  await harness.open('holdfast', url('holdfast'), fast)
  for (const who of ['native', 'holdfast'])
    await sse.waitForConnection((c) => c.state === 'open' && new URL(c.url, 'http://x').searchParams.get('who') === who)
  const ids = publish(sse, 5)
  for (const who of ['native', 'holdfast']) await expect.poll(() => harness.ids(who)).toEqual(ids)
  expect(await harness.trace('holdfast')).toEqual(['open 1', ...delivered(...ids)])
})

test('[NON-SPEC] nginx with an HTTP/1.1 upstream still holds a stream back from native and Holdfast when it gzips it under proxy buffering', async ({
  harness,
  sse,
  nginx,
}) => {
  await harness.goto(nginx.url)
  const url = (who: string) => proxied(nginx, 'gzip', sse, {who})
  await harness.open('native', url('native'), {}, {native: true})
  await harness.open('holdfast', url('holdfast'), fast)
  const native = await sse.waitForConnection(
    (c) => c.state === 'open' && new URL(c.url, 'http://x').searchParams.get('who') === 'native',
  )
  publish(sse, 5)
  // Holdfast's watchdog gave up twice on a stream that delivered not a byte, heartbeats included.
  await expect
    .poll(async () => (await harness.trace('holdfast')).filter((line) => line.startsWith('reconnecting')).length)
    .toBeGreaterThanOrEqual(2)
  expect(sse.server.connection(native.id)!.eventsSent).toBe(5)
  expect(await harness.ids('native')).toEqual([])
  expect(await harness.ids('holdfast')).toEqual([])
})

test('[ext] behind a buffering proxy, a long poll that never received an event resumes from the cursor the server gave it: an event published between two polls arrives', async ({
  harness,
  sse,
  nginx,
}) => {
  await harness.goto(nginx.url)
  // Polls of 500 ms under an idle timeout of 10 s: no poll outlasts the watchdog, however busy the machine.
  await harness.open(
    'poll',
    proxied(nginx, 'buffered', sse),
    {...fast, idleTimeout: 10_000},
    {preset: 'poll-transport-500ms'},
  )
  const first = await sse.nextConnection()
  expect(first).toMatchObject({transport: 'poll', lastEventId: undefined})
  // The first poll waits its 500 ms and ends with nothing but the cursor; the next one is held before it is
  // answered, and an event is published meanwhile: between two polls.
  sse.inject({type: 'delay'})
  const second = await sse.waitForConnection((c) => c.seq > first.seq)
  expect(sentIds(sse)).toEqual([])
  const ids = publish(sse, 1)
  sse.resume()
  await expect.poll(() => harness.ids('poll')).toEqual(ids)
  expect(sse.server.connection(second.id)).toMatchObject({lastEventId: '0', replay: {result: 'replayed', events: 1}})
  expect(await harness.trace('poll')).toEqual(['open 1', ...delivered(...ids)])
})
