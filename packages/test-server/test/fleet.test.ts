import {describe, expect, it} from 'vitest'
import {createClient} from '@redis/client'
import {channelKeys, encodePayload} from '../src/engine/redis-scripts.js'
import {createTestServer, type TestServer, type TestServerOptions} from '../src/index.js'
import {call, connect, handles, settledHandles, startServer, type TestClient} from './helpers.js'
import {useRedis} from './redis.js'

const redis = useRedis()

/** Two (or more) servers of one fleet, on the test's Redis, closed after the test. */
async function fleet(count = 2, options: TestServerOptions = {}): Promise<TestServer<boolean>[]> {
  const shared = redis.fleet({retryMs: false, ...options})
  const servers: TestServer<boolean>[] = []
  for (let i = 0; i < count; i++) servers.push((await startServer(shared)).server)
  return servers
}

/** A stream on `channel` on each server, once both are open. */
async function streamsOn(servers: TestServer<boolean>[], channel: string): Promise<TestClient[]> {
  const clients = servers.map((server) => connect(server.streamUrl(channel)))
  for (const server of servers) await server.waitForConnection((c) => c.channel === channel && c.state === 'open')
  return clients
}

const ids = (client: TestClient): Array<string | undefined> => client.events().map((event) => event.id)
const range = (from: number, to: number): string[] => Array.from({length: to - from + 1}, (_, i) => String(from + i))

describe('a fleet on Redis', () => {
  // First, while no other server of this file holds a socket or a timer.
  it('releases its Redis connections and timers on close', async () => {
    const before = handles()
    const server = await createTestServer(redis.fleet({logger: false, heartbeatMs: 0}))
    const client = connect(server.streamUrl('bye'))
    await server.waitForConnection((c) => c.state === 'open')
    await server.publish('bye', 'one')
    await client.waitForEvents(1)
    expect(handles().TCPSocketWrap ?? 0).toBeGreaterThanOrEqual((before.TCPSocketWrap ?? 0) + 2)
    await server.close()
    await client.socketClosed
    const after = await settledHandles(['TCPServerWrap', 'TCPSocketWrap', 'Timeout'], before)
    // At most as many as before (a probe of the setup's may still have been closing then; a leak adds two sockets).
    expect(after.TCPSocketWrap ?? 0).toBeLessThanOrEqual(before.TCPSocketWrap ?? 0)
    expect(after.TCPServerWrap ?? 0).toBeLessThanOrEqual(before.TCPServerWrap ?? 0)
    expect(after.Timeout ?? 0).toBeLessThanOrEqual(before.Timeout ?? 0)
  })

  it('delivers a publish on any server to the streams of every server, in one order of ids', async () => {
    const [a, b] = (await fleet()) as [TestServer<boolean>, TestServer<boolean>]
    const [onA, onB] = (await streamsOn([a, b], 'news')) as [TestClient, TestClient]

    const published = []
    for (let i = 1; i <= 10; i++) published.push(await (i % 2 ? a : b).publish('news', `event ${i}`))
    expect(published.map((event) => event.id)).toEqual(range(1, 10))
    for (const client of [onA, onB]) {
      const events = await client.waitForEvents(10)
      expect(events.map(({id, data}) => ({id, data}))).toEqual(published.map(({id, data}) => ({id, data})))
    }
    // Read-your-writes: once publish resolved, the publishing server's log has the event.
    expect(a.events('news').map((event) => event.id)).toEqual(range(1, 10))
  })

  it('allocates ids atomically: concurrent publishes on both servers get every id once, in one order', async () => {
    const [a, b] = (await fleet()) as [TestServer<boolean>, TestServer<boolean>]
    const [onA, onB] = (await streamsOn([a, b], 'race')) as [TestClient, TestClient]

    const published = await Promise.all(
      Array.from({length: 100}, (_, i) => (i % 2 ? a : b).publish('race', {data: String(i)})),
    )
    expect(published.map((event) => Number(event.id)).sort((x, y) => x - y)).toEqual(range(1, 100).map(Number))
    const byId = new Map(published.map((event) => [event.id, event.data]))
    for (const client of [onA, onB]) {
      const events = await client.waitForEvents(100)
      expect(ids(client)).toEqual(range(1, 100))
      for (const event of events) expect(event.data).toBe(byId.get(event.id!))
    }
  })

  it('replays after a Last-Event-ID on a server that never saw the channel', async () => {
    const [a, b] = (await fleet()) as [TestServer<boolean>, TestServer<boolean>]
    for (let i = 1; i <= 10; i++) await a.publish('resume', `event ${i}`)

    const client = connect(b.streamUrl('resume'), {headers: {'Last-Event-ID': '4'}})
    expect((await client.headers)['x-holdfast-replay']).toBe('replayed')
    await client.waitForEvents(6)
    expect(client.events().map(({id, data}) => ({id, data}))).toEqual(
      range(5, 10).map((id) => ({id, data: `event ${id}`})),
    )
    expect(b.connections('resume')[0]?.replay).toEqual({result: 'replayed', events: 6})
  })

  it('sends the same replay-gap signal on any server when the id is older than the shared log', async () => {
    const [a, b] = (await fleet(2, {replayLimit: 5})) as [TestServer<boolean>, TestServer<boolean>]
    for (let i = 1; i <= 10; i++) await a.publish('gap', `event ${i}`)

    const client = connect(b.streamUrl('gap'), {headers: {'Last-Event-ID': '2'}})
    expect((await client.headers)['x-holdfast-replay']).toBe('too-old')
    const [gap, ...events] = await client.waitForEvents(6)
    expect(gap).toEqual({
      id: undefined,
      event: 'replay-gap',
      data: JSON.stringify({lastEventId: '2', oldestId: '6', reason: 'too-old'}),
    })
    expect(events.map((event) => event.id)).toEqual(range(6, 10))
    // An id newer than any the fleet allocated: unknown, as on a single server.
    const ahead = connect(a.streamUrl('gap'), {headers: {'Last-Event-ID': '11'}})
    expect((await ahead.headers)['x-holdfast-replay']).toBe('unknown-id')
  })

  it('opens a stream in the middle of a burst on another server with no id lost or repeated', async () => {
    const [a, b] = (await fleet()) as [TestServer<boolean>, TestServer<boolean>]
    await a.publish('burst', 'event 1')
    const burst = Promise.all(Array.from({length: 200}, (_, i) => a.publish('burst', `event ${i + 2}`)))
    // B learns the channel while A publishes: its log is read after it subscribed, and the overlap is dropped.
    const client = connect(b.streamUrl('burst'), {headers: {'Last-Event-ID': '1'}})
    await burst
    await client.waitForEvents(200)
    expect(ids(client)).toEqual(range(2, 201))
  })

  it('publishes a control batch with consecutive ids, atomically, and answers with them', async () => {
    const [a, b] = (await fleet()) as [TestServer<boolean>, TestServer<boolean>]
    await a.publish('batch', 'first')
    const answer = await call(b, 'POST', '/control/publish', {
      channel: 'batch',
      events: [{data: 'x'}, {data: 'y', event: 'tick'}, {data: {n: 3}}],
    })
    expect(answer.status).toBe(201)
    expect(answer.body.events.map((event: {id: string}) => event.id)).toEqual(['2', '3', '4'])
    const single = await call(a, 'POST', '/control/publish', {channel: 'batch', data: 'last'})
    expect(single.body.event).toMatchObject({id: '5', data: 'last'})
    expect((await call(a, 'GET', '/control/channels/batch')).body.events.map((e: {data: string}) => e.data)).toEqual([
      'first',
      'x',
      'y',
      '{"n":3}',
      'last',
    ])
  })

  it('keeps faults, connections and metrics per server', async () => {
    const [a, b] = (await fleet()) as [TestServer<boolean>, TestServer<boolean>]
    const onA = connect(a.streamUrl('local'))
    const onB = connect(b.streamUrl('local'))
    await a.waitForConnection((c) => c.state === 'open')
    const first = await b.waitForConnection((c) => c.state === 'open')
    b.inject({type: 'end', after: 1}, 'local')
    await a.publish('local', 'one')
    await a.publish('local', 'two')

    expect(await b.waitForClose(first)).toMatchObject({closeReason: 'fault-end', eventsSent: 1})
    await onA.waitForEvents(2)
    expect(a.connections('local')).toMatchObject([{state: 'open', eventsSent: 2, faults: []}])
    expect(a.faults()).toEqual([])
    expect(await onB.ended).toBe('end')
    const metricsA = await a.metrics()
    expect(metricsA).toMatch(/^holdfast_events_published_total 2$/m)
    expect(metricsA).toMatch(/^holdfast_redis_up 1$/m)
    expect(await b.metrics()).toMatch(/^holdfast_events_published_total 0$/m)
    expect((await call(a, 'GET', '/health')).body).toMatchObject({status: 'ok', redis: 'up'})
  })

  it('forgets a channel on reset() and picks it up again from Redis, ids going on', async () => {
    const [a] = (await fleet(1)) as [TestServer<boolean>]
    await a.publish('again', 'one')
    await a.publish('again', 'two')
    a.reset()
    expect(a.channels()).toEqual([])
    expect((await a.publish('again', 'three')).id).toBe('3')
    expect(a.events('again').map((event) => event.data)).toEqual(['one', 'two', 'three'])
  })

  it('announces a replay-gap on an open stream when ids it never got are gone from the shared log', async () => {
    const options = redis.fleet({retryMs: false, replayLimit: 3})
    const {server: a} = await startServer(options)
    const {server: b} = await startServer(options)
    const [client] = (await streamsOn([a], 'trimmed')) as [TestClient]
    await b.publish('trimmed', 'event 1')
    await client.waitForEvents(1)

    // A writer that bypasses the live channel: ids 2-11 reach the log (trimmed to 3) but no server hears of them.
    const {keyPrefix} = options.redis as {keyPrefix: string}
    const keys = channelKeys(keyPrefix, 'trimmed')
    const writer = createClient({url: redis.server.url})
    await writer.connect()
    for (let seq = 2; seq <= 11; seq++) {
      const payload = encodePayload({data: `event ${seq}`, event: undefined, retry: undefined}, Date.now())
      await writer.sendCommand(['XADD', keys.log, 'MAXLEN', '3', `${seq}-0`, 'p', payload])
    }
    await writer.sendCommand(['SET', keys.counter, '11'])
    writer.destroy()
    // The next publish reaches a through the live channel with id 12: a hole, so a catches up from the log.
    expect((await b.publish('trimmed', 'event 12')).id).toBe('12')

    const events = await client.waitForEvents(5)
    expect(events.map(({id, event}) => `${id ?? '-'} ${event}`)).toEqual([
      '1 message',
      '- replay-gap',
      '10 message',
      '11 message',
      '12 message',
    ])
    expect(events[1]?.data).toBe(JSON.stringify({lastEventId: '1', oldestId: '10', reason: 'too-old'}))
  })
})
