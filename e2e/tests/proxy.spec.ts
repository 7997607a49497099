// A real nginx between the browser and the test server: its read timeout, and its buffering.
import {holdfast} from '../engines/differences'
import {delivered, expect, fast, publish, requests, sentIds} from '../fixtures'
import {PROXY_READ_TIMEOUT_S} from '../support/nginx'
import {proxied, test} from '../support/nginx-test'

const HEARTBEAT_MS = 250 // the config's sseServerOptions

test('heartbeats shorter than proxy_read_timeout keep the stream open across several timeouts', async ({
  harness,
  sse,
  nginx,
}) => {
  await harness.goto(nginx.url)
  await harness.open('holdfast', proxied(nginx, 'sse', sse), fast)
  const connection = await sse.nextConnection()
  await expect.poll(() => harness.readyState('holdfast')).toBe(1)

  // Three read timeouts' worth of heartbeats and nothing else, counted by the server.
  const heartbeats = (3 * PROXY_READ_TIMEOUT_S * 1000) / HEARTBEAT_MS + 1
  await expect
    .poll(() => sse.server.connection(connection.id)!.heartbeatsSent, {timeout: 15_000, intervals: [HEARTBEAT_MS]})
    .toBeGreaterThanOrEqual(heartbeats)
  publish(sse, 1)
  await expect.poll(() => harness.ids('holdfast')).toEqual(['1'])
  expect(await harness.trace('holdfast')).toEqual(['open 1', ...delivered(1)])
  expect(sse.connections()).toMatchObject([{id: connection.id, state: 'open'}])
})

test('heartbeats stopped: nginx cuts the stream and Holdfast resumes through it with no loss', async ({
  harness,
  sse,
  nginx,
  engine,
}) => {
  await harness.goto(nginx.url)
  // The watchdog waits longer than nginx does, so that nginx is the one to give up.
  const idleTimeout = 2 * PROXY_READ_TIMEOUT_S * 1000
  await harness.open('holdfast', proxied(nginx, 'sse', sse), {...fast, idleTimeout})
  const first = await sse.nextConnection()
  publish(sse, 3)
  await expect.poll(() => harness.ids('holdfast')).toEqual(['1', '2', '3'])

  sse.inject({type: 'heartbeat', intervalMs: 0}, {connection: first.id})
  const hold = sse.inject({type: 'delay'}) // holds the reconnection until more has been published
  const cut = await sse.waitForClose(first, {timeoutMs: 2 * idleTimeout})
  expect(cut).toMatchObject({closedBy: 'client', closeReason: 'client-closed'}) // nginx hung up on the server
  // It arrives and is held (nextConnection would wait for it to be answered): publish meanwhile, then let it in.
  const second = await sse.waitForConnection(undefined, {after: first})
  publish(sse, 2)
  hold.resume()

  await expect.poll(() => harness.ids('holdfast')).toEqual(sentIds(sse))
  expect(await harness.trace('holdfast')).toEqual([
    'open 1',
    ...delivered(1, 2, 3),
    // nginx closed the chunked response without its last chunk: a network error (WebKitGTK: an end, `cutCode`)
    `error 0 ${holdfast[engine.name].cutCode}`,
    `reconnecting 0 attempt=1 delay=50 ${holdfast[engine.name].cutCode}`,
    'open 1',
    ...delivered(4, 5),
  ])
  expect(second.lastEventId).toBe('3')
  expect(requests(sse.connections())).toEqual([{status: 200}, {status: 200, lastEventId: '3'}])
})

test('proxy_buffering on holds every byte back; the server’s X-Accel-Buffering: no fixes it', async ({
  harness,
  sse,
  nginx,
}) => {
  await harness.goto(nginx.url)
  publish(sse, 3)
  // Last-Event-ID 0: the server replays all three events the moment each stream opens.
  const init = {...fast, lastEventId: '0'}
  const via = (route: string) => (connection: {url: string}) => connection.url.endsWith(`via=${route}`)
  await harness.open('buffered', proxied(nginx, 'buffered', sse, {via: 'buffered'}), init)
  await harness.open('accel', proxied(nginx, 'bufferedAccel', sse, {via: 'accel'}), init)
  const buffered = await sse.waitForConnection(via('buffered'))

  await expect.poll(() => harness.ids('accel')).toEqual(['1', '2', '3'])
  // Behind the buffering proxy nothing arrives, not even the response head: the watchdog gives up on a stream
  // the server is feeding, and the next attempt asks for the same events again.
  await expect
    .poll(async () => (await harness.trace('buffered')).slice(0, 2))
    .toEqual(['error 0 idle-timeout', 'reconnecting 0 attempt=1 delay=50 idle-timeout'])
  expect(await sse.waitForClose(buffered)).toMatchObject({eventsSent: 3, closedBy: 'client'})
  expect(await harness.ids('buffered')).toEqual([])
  const again = await sse.waitForConnection(via('buffered'), {after: buffered})
  expect(again.lastEventId).toBe('0')
  await harness.close('buffered')

  expect(await harness.trace('accel')).toEqual(['open 1', ...delivered(1, 2, 3)])
})
