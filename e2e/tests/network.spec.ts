// The network itself fails: the browser goes offline, the server process dies and comes back on the same port.
import {native} from '../engines/differences'
import {needs} from '../engines/engines'
import {delivered, expect, fast, openStreams, publish, requests, sentIds, test as base} from '../fixtures'
import {ServerProcess} from '../support/server-process'

const test = base.extend<{serverProcess: {current?: ServerProcess}}>({
  // Whatever server processes a test started, the last one is killed after it.
  // eslint-disable-next-line no-empty-pattern
  serverProcess: async ({}, use) => {
    const holder: {current?: ServerProcess} = {}
    await use(holder)
    await holder.current?.kill()
  },
})

test(
  'offline and online: Holdfast waits without spending attempts and resumes at once; native hammers or gives up',
  {tag: needs.offline},
  async ({harness, sse, context, page, engine}) => {
    await openStreams(harness, sse, {native: true, events: 1})

    // Offline mode fails new requests but leaves open sockets alone; the drop is the network going away.
    await context.setOffline(true)
    await expect.poll(() => page.evaluate(() => navigator.onLine)).toBe(false)
    sse.inject({type: 'drop', times: 2})
    publish(sse, 2)

    // Chromium's native source retries every 50 ms into the void; Firefox's gives up for good at its first failure.
    // By then Holdfast has tried nothing.
    const nativeRetries = native[engine.name].whileOffline === 'retries'
    const nativeErrors = async () => (await harness.trace('native')).filter((line) => line === 'error 0').length
    if (nativeRetries) await expect.poll(nativeErrors).toBeGreaterThanOrEqual(3)
    else await expect.poll(() => harness.readyState('native')).toBe(2)
    expect(await harness.trace('holdfast')).toEqual(['open 1', ...delivered(1), 'error 0 network'])
    expect(await harness.readyState('holdfast')).toBe(0)
    expect((await harness.stats('holdfast')).reconnects).toBe(0)
    expect(sse.connections()).toHaveLength(2)

    await context.setOffline(false)
    await expect.poll(() => harness.ids('holdfast')).toEqual(sentIds(sse))
    expect(await harness.trace('holdfast')).toEqual([
      'open 1',
      ...delivered(1),
      'error 0 network',
      'reconnecting 0 attempt=1 delay=0 network', // back online: at once, with the backoff reset
      'open 1',
      ...delivered(2, 3),
    ])
    if (nativeRetries) await expect.poll(() => harness.ids('native')).toEqual(sentIds(sse))
    else expect(await harness.trace('native')).toEqual(['open 1', ...delivered(1), 'error 0', 'error 2'])
    expect(requests(sse.connections())).toEqual([
      {status: 200},
      {status: 200},
      {status: 200, lastEventId: '1'},
      ...(nativeRetries ? [{status: 200, lastEventId: '1'}] : []),
    ])
  },
)

test(
  'the server process is killed and restarted on the same port: Holdfast backs off, then resumes',
  {tag: needs.clock},
  async ({harness, page, serverProcess}) => {
    const channel = 'restart'
    const server = (serverProcess.current = await ServerProcess.start())
    await page.clock.install()
    await harness.goto(server.url)
    await page.clock.pauseAt(Date.now() + 1_000) // the reconnection timers run only when the test says so
    await harness.open('holdfast', `${server.url}/sse/${channel}`, fast)
    await expect.poll(() => harness.readyState('holdfast')).toBe(1)
    await server.publish(channel, ['event 1', 'event 2'])
    await expect.poll(() => harness.ids('holdfast')).toEqual(['1', '2'])

    expect(requests(await server.connections(channel))).toEqual([{status: 200}])
    await server.kill()
    await expect.poll(() => harness.trace('holdfast')).toContain('reconnecting 0 attempt=1 delay=50 network')
    // Nobody listens on the port: each attempt is refused, and the delay doubles.
    await page.clock.runFor(50)
    await expect.poll(() => harness.trace('holdfast')).toContain('reconnecting 0 attempt=2 delay=100 network')
    await page.clock.runFor(100)
    await expect.poll(() => harness.trace('holdfast')).toContain('reconnecting 0 attempt=3 delay=200 network')

    // The new process restores the channel's log (as a server backed by a durable store would), plus what came
    // meanwhile; then the pending attempt reaches it.
    const restarted = (serverProcess.current = await server.restart())
    expect(restarted.port).toBe(server.port)
    const sent = await restarted.publish(channel, ['event 1', 'event 2', 'event 3', 'event 4'])
    await page.clock.runFor(200)

    await expect.poll(() => harness.ids('holdfast')).toEqual(sent.map((event) => event.id))
    expect(await harness.messages('holdfast')).toEqual(sent.map((event) => event.data))
    expect(await harness.trace('holdfast')).toEqual([
      'open 1',
      ...delivered(1, 2),
      'error 0 network',
      'reconnecting 0 attempt=1 delay=50 network',
      'error 0 network',
      'reconnecting 0 attempt=2 delay=100 network',
      'error 0 network',
      'reconnecting 0 attempt=3 delay=200 network',
      'open 1',
      ...delivered(3, 4),
    ])
    const seen = await restarted.connections(channel)
    expect(requests(seen)).toEqual([{status: 200, lastEventId: '2'}])
    expect(seen[0]!.replay).toEqual({result: 'replayed', events: 2})
  },
)
