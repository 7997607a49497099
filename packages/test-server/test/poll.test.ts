import {Agent} from 'node:http'
import {describe, expect, it, vi} from 'vitest'
import type {ConnectionRecord, TestServer} from '../src/index.js'
import {call, connect, parseEvents, startServer, useFakeTime, type TestClient} from './helpers.js'

/** A long poll of `channel`, with these query parameters on top of `transport=poll`. */
function poll(server: TestServer, channel: string, query: Record<string, string | number> = {}, init = {}) {
  return connect(server.streamUrl(channel, {transport: 'poll', ...query}), init)
}

/** The server's record of the poll once it closed. */
async function closedRecord(server: TestServer, id = 'c1'): Promise<ConnectionRecord> {
  await server.waitForConnection((c) => c.id === id)
  return server.waitForClose(id)
}

const idsOf = (client: TestClient): Array<string | undefined> => client.events().map((e) => e.id)

describe('a long poll (?transport=poll)', () => {
  it('answers the events after its Last-Event-ID at once, framed like a stream, then ends', async () => {
    const {server} = await startServer()
    for (const data of ['a', 'b', 'c']) server.publish('news', data)
    const client = poll(server, 'news', {}, {headers: {'Last-Event-ID': '1'}})

    expect(await client.ended).toBe('end')
    expect(await client.status).toBe(200)
    expect(await client.headers).toMatchObject({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-holdfast-transport': 'poll',
      'x-holdfast-replay': 'replayed',
    })
    expect(client.text).toBe('retry: 1000\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n')
    expect(await closedRecord(server)).toMatchObject({
      transport: 'poll',
      protocol: 'http/1.1',
      lastEventId: '1',
      lastEventIdFrom: 'header',
      replay: {result: 'replayed', events: 2},
      eventsSent: 2,
      lastSentId: '3',
      closedBy: 'server',
      closeReason: 'poll-events',
    })
  })

  it('[ext] gives a poll without a Last-Event-ID a cursor at once, an id alone: the next poll resumes from it', async () => {
    const {server} = await startServer({retryMs: false, heartbeatMs: 0})
    server.publish('news', 'before')
    const first = poll(server, 'news', {pollTimeoutMs: 0})
    expect(await first.ended).toBe('end')
    expect(first.text).toBe('id: 1\n\n')
    expect(first.events()).toEqual([]) // [spec] no data: nothing is dispatched, the last event ID is set
    server.publish('news', 'between') // while no poll is open
    const next = poll(server, 'news', {}, {headers: {'Last-Event-ID': '1'}})
    expect(await next.ended).toBe('end')
    expect(next.events()).toEqual([{id: '2', event: 'message', data: 'between'}])
    // A poll that resumes, and a stream, get no cursor.
    expect(next.text).toBe('id: 2\ndata: between\n\n')
    const stream = connect(server.streamUrl('news'))
    await server.waitForConnection((c) => c.transport === 'stream' && c.state === 'open')
    server.publish('news', 'live')
    expect(await stream.waitForText('data: live\n\n')).toBe('id: 3\ndata: live\n\n')
  })

  it('reads the Last-Event-ID from the query when there is no header', async () => {
    const {server} = await startServer({retryMs: false})
    for (const data of ['a', 'b']) server.publish('news', data)
    const client = poll(server, 'news', {lastEventId: '1'})
    expect(await client.ended).toBe('end')
    expect(idsOf(client)).toEqual(['2'])
    expect(await closedRecord(server)).toMatchObject({lastEventIdFrom: 'query', closeReason: 'poll-events'})
  })

  it('with nothing to send, waits with heartbeats and ends after the next events, published together', async () => {
    useFakeTime()
    const {server} = await startServer({heartbeatMs: 1000, retryMs: false, pollTimeoutMs: 30_000})
    server.publish('news', 'old')
    const client = poll(server, 'news', {}, {headers: {'Last-Event-ID': '1'}})
    await server.waitForConnection((c) => c.state === 'open')
    await vi.advanceTimersByTimeAsync(2_000)
    await client.waitForText(': heartbeat\n\n: heartbeat\n\n')
    expect(server.connection('c1')).toMatchObject({state: 'open', heartbeatsSent: 2, eventsSent: 0})

    // Both go out in this response: it ends one turn of the event loop after the first.
    server.publish('news', 'new 1')
    server.publish('news', 'new 2')
    expect(await client.ended).toBe('end')
    expect(client.events()).toEqual([
      {id: '2', event: 'message', data: 'new 1'},
      {id: '3', event: 'message', data: 'new 2'},
    ])
    expect(await closedRecord(server)).toMatchObject({eventsSent: 2, closeReason: 'poll-events'})
    expect(vi.getTimerCount()).toBe(0)
  })

  it('ends empty after pollTimeoutMs, and ?pollTimeoutMs= overrides it for one request', async () => {
    useFakeTime()
    const {server} = await startServer({heartbeatMs: 0, retryMs: false, pollTimeoutMs: 5_000})
    const long = poll(server, 'news')
    await server.waitForConnection((c) => c.id === 'c1' && c.state === 'open')
    await vi.advanceTimersByTimeAsync(4_999)
    expect(server.connection('c1')?.state).toBe('open')
    await vi.advanceTimersByTimeAsync(1)
    expect(await long.ended).toBe('end')
    expect(long.text).toBe('id: 0\n\n') // the cursor only: the next poll resumes from it
    expect(await closedRecord(server)).toMatchObject({eventsSent: 0, closedBy: 'server', closeReason: 'poll-timeout'})

    const short = poll(server, 'news', {pollTimeoutMs: 0})
    await server.waitForConnection((c) => c.id === 'c2')
    await vi.advanceTimersByTimeAsync(0)
    expect(await short.ended).toBe('end')
    expect((await closedRecord(server, 'c2')).closeReason).toBe('poll-timeout')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('follows a client through consecutive polls on one keep-alive socket: every event once, in order', async () => {
    const {server} = await startServer({retryMs: false})
    const agent = new Agent({keepAlive: true, maxSockets: 1})
    let sockets = 0
    const createConnection = agent.createConnection.bind(agent)
    agent.createConnection = (...args: Parameters<Agent['createConnection']>) => {
      sockets++
      return createConnection(...args)
    }
    let lastEventId = '0'
    const received: string[] = []
    for (let round = 0; round < 4; round++) {
      const client = poll(server, 'feed', {}, {headers: {'Last-Event-ID': lastEventId}, agent})
      await server.waitForConnection((c) => c.seq === round + 1 && c.state === 'open')
      server.publish('feed', `e${2 * round + 1}`)
      server.publish('feed', `e${2 * round + 2}`)
      await client.ended
      for (const event of client.events()) received.push(event.data)
      lastEventId = client.events().at(-1)?.id ?? lastEventId
    }
    agent.destroy()
    expect(received).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8'])
    const records = server.connections('feed')
    expect(records.map((r) => r.closeReason)).toEqual(Array(4).fill('poll-events'))
    expect(sockets).toBe(1)
  })

  it('announces a replay gap and replays the log when the id is too old, then ends', async () => {
    const {server} = await startServer({retryMs: false, replayLimit: 2})
    for (const data of ['a', 'b', 'c', 'd']) server.publish('news', data)
    const client = poll(server, 'news', {}, {headers: {'Last-Event-ID': '1'}})
    expect(await client.ended).toBe('end')
    expect((await client.headers)['x-holdfast-replay']).toBe('too-old')
    expect(client.events()).toEqual([
      {id: undefined, event: 'replay-gap', data: '{"lastEventId":"1","oldestId":"3","reason":"too-old"}'},
      {id: '3', event: 'message', data: 'c'},
      {id: '4', event: 'message', data: 'd'},
    ])
  })

  it('keeps waiting after a gap with nothing to replay, so that the client does not ask again in a loop', async () => {
    useFakeTime()
    const {server} = await startServer({retryMs: false, heartbeatMs: 0})
    // A server that restarted: the client's id is newer than anything here.
    const client = poll(server, 'news', {}, {headers: {'Last-Event-ID': '57'}})
    await client.waitForText('event: replay-gap')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(server.connection('c1')).toMatchObject({state: 'open', replay: {result: 'unknown-id', events: 0}})
    server.publish('news', 'first')
    expect(await client.ended).toBe('end')
    expect(client.events().map((e) => [e.event, e.id])).toEqual([
      ['replay-gap', undefined],
      ['message', '1'],
    ])
  })

  it('rejects a bad transport or poll timeout with a clear 400', async () => {
    const {server} = await startServer()
    const cases: Array<[Record<string, string>, string]> = [
      [{transport: 'websocket'}, '`transport` must be "stream" or "poll", got "websocket"'],
      [{pollTimeoutMs: '5'}, '`pollTimeoutMs` applies to long polls only: add `transport=poll`'],
      [{transport: 'poll', pollTimeoutMs: 'soon'}, '`pollTimeoutMs` must be an integer from 0 to 3600000, got "soon"'],
      [{transport: 'poll', pollTimeoutMs: '3600001'}, 'must be an integer from 0 to 3600000, got "3600001"'],
    ]
    for (const [query, message] of cases) {
      const url = new URL(server.streamUrl('news'))
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value)
      const answer = await call(server, 'GET', url.pathname + url.search)
      expect(answer.status).toBe(400)
      expect(answer.body.error).toMatchObject({code: 'invalid-request'})
      expect(answer.body.error.message).toContain(message)
    }
    expect(server.connections()).toEqual([])
    // `transport=stream` is the default said out loud.
    const stream = connect(server.streamUrl('news', {transport: 'stream'}))
    expect((await stream.headers)['x-holdfast-transport']).toBe('stream')
  })

  it('releases its timers when the client leaves while it waits', async () => {
    useFakeTime()
    const {server} = await startServer({heartbeatMs: 1000})
    const client = poll(server, 'news')
    await server.waitForConnection((c) => c.state === 'open')
    expect(vi.getTimerCount()).toBe(2) // the heartbeat and the poll's deadline
    client.close()
    expect(await closedRecord(server)).toMatchObject({closedBy: 'client', closeReason: 'client-closed'})
    expect(vi.getTimerCount()).toBe(0)
  })

  it('gets the shutdown event and ends, like a stream, when the server closes', async () => {
    const {server} = await startServer({retryMs: false})
    const client = poll(server, 'news')
    await server.waitForConnection((c) => c.state === 'open')
    await server.close()
    expect(await client.ended).toBe('end')
    expect(client.events()).toEqual([{id: undefined, event: 'shutdown', data: 'server shutting down'}])
  })

  it('is recorded, listed by the control API and counted in the metrics by transport', async () => {
    const {server} = await startServer({retryMs: false})
    server.publish('news', 'a')
    await poll(server, 'news', {lastEventId: '0'}).ended
    await poll(server, 'news', {pollTimeoutMs: 0}).ended
    const stream = connect(server.streamUrl('news'))
    await server.waitForConnection((c) => c.id === 'c3' && c.state === 'open')
    const listed = (await call(server, 'GET', '/control/connections?channel=news')).body.connections
    expect(listed.map((c: ConnectionRecord) => [c.id, c.transport, c.protocol])).toEqual([
      ['c1', 'poll', 'http/1.1'],
      ['c2', 'poll', 'http/1.1'],
      ['c3', 'stream', 'http/1.1'],
    ])
    const polls = await call(server, 'GET', '/control/connections?transport=poll&protocol=http/1.1')
    expect(polls.body.connections.map((c: ConnectionRecord) => c.id)).toEqual(['c1', 'c2'])
    const waited = await call(server, 'GET', '/control/connections/wait?transport=stream&state=open')
    expect(waited.body.connection.id).toBe('c3')
    const bad = await call(server, 'GET', '/control/connections?transport=ws')
    expect(bad.body.error.message).toBe('`transport` must be one of stream, poll, got "ws"')
    const metrics = await server.metrics()
    expect(metrics).toContain('holdfast_stream_requests_total{transport="poll",protocol="http/1.1"} 2')
    expect(metrics).toContain('holdfast_stream_requests_total{transport="stream",protocol="http/1.1"} 1')
    expect(metrics).toContain('holdfast_disconnects_total{reason="poll-events"} 1')
    expect(metrics).toContain('holdfast_disconnects_total{reason="poll-timeout"} 1')
    stream.close()
  })
})

describe('faults on long polls', () => {
  it('a status fault aimed at the channel answers polls too, then they go on', async () => {
    const {server} = await startServer({retryMs: false})
    server.publish('news', 'a')
    server.inject({type: 'status', status: 503, retryAfter: 2, times: 2}, 'news')
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) {
      const client = poll(server, 'news', {lastEventId: '0'})
      await client.ended
      statuses.push(await client.status)
    }
    expect(statuses).toEqual([503, 503, 200])
    expect(server.connections('news').map((c) => c.closeReason)).toEqual([
      'fault-status',
      'fault-status',
      'poll-events',
    ])
  })

  it('a drop tears down the waiting poll; a mid-event drop cuts the event it was waiting for', async () => {
    const {server} = await startServer({retryMs: false})
    const waiting = poll(server, 'news')
    await server.waitForConnection((c) => c.state === 'open')
    server.inject({type: 'drop'}, 'news')
    expect(await waiting.ended).toBe('aborted')
    expect(await closedRecord(server)).toMatchObject({closedBy: 'fault', closeReason: 'fault-drop'})

    const cut = poll(server, 'news')
    await server.waitForConnection((c) => c.id === 'c2' && c.state === 'open')
    server.inject({type: 'drop', midEvent: true}, 'news')
    server.publish('news', 'cut in half')
    expect(await cut.ended).toBe('aborted')
    expect(cut.text).toBe('id: 0\n\nid: 1\ndata: ') // the cursor, then the first 12 of the event's 25 bytes
    expect(await closedRecord(server, 'c2')).toMatchObject({eventsSent: 0, closeReason: 'fault-drop'})
  })

  it('a stall keeps the poll open and silent past its deadline; on resume it catches up and ends', async () => {
    useFakeTime()
    const {server} = await startServer({heartbeatMs: 1000, retryMs: false, pollTimeoutMs: 5_000})
    const client = poll(server, 'news')
    await server.waitForConnection((c) => c.state === 'open')
    server.inject({type: 'stall'}, 'news')
    server.publish('news', 'during the stall')
    await vi.advanceTimersByTimeAsync(20_000)
    expect(client.text).toBe('id: 0\n\n') // the cursor, written as it opened, then nothing
    expect(server.connection('c1')).toMatchObject({state: 'open', stalled: true, heartbeatsSent: 0})

    expect(server.resume('news')).toBe(1)
    expect(await client.ended).toBe('end')
    expect(idsOf(client)).toEqual(['1'])
    expect((await closedRecord(server)).closeReason).toBe('poll-events')
  })

  it('a stall that outlasts the deadline with nothing published ends the poll empty once resumed', async () => {
    useFakeTime()
    const {server} = await startServer({heartbeatMs: 0, retryMs: false, pollTimeoutMs: 5_000})
    const client = poll(server, 'news')
    await server.waitForConnection((c) => c.state === 'open')
    server.inject({type: 'stall', durationMs: 8_000}, 'news')
    await vi.advanceTimersByTimeAsync(7_999)
    expect(server.connection('c1')?.state).toBe('open')
    await vi.advanceTimersByTimeAsync(1)
    expect(await client.ended).toBe('end')
    expect((await closedRecord(server)).closeReason).toBe('poll-timeout')
  })

  it('`after` counts the events the client receives across polls: a poll that ends first hands the fault on', async () => {
    const {server} = await startServer({retryMs: false})
    const fault = server.inject({type: 'drop', after: 3}, 'news')
    let lastEventId = '0'
    const endings: string[] = []
    for (let round = 0; round < 2; round++) {
      const client = poll(server, 'news', {lastEventId})
      await server.waitForConnection((c) => c.seq === round + 1 && c.state === 'open')
      server.publish('news', `e${2 * round + 1}`)
      server.publish('news', `e${2 * round + 2}`)
      endings.push(await client.ended)
      lastEventId = client.events().at(-1)?.id ?? lastEventId
    }
    // The first poll carried events 1 and 2; the second, event 3, and then the drop.
    expect(endings).toEqual(['end', 'aborted'])
    expect(server.connections('news').map((c) => [c.eventsSent, c.closeReason])).toEqual([
      [2, 'poll-events'],
      [1, 'fault-drop'],
    ])
    expect(fault.pending).toBe(0)
    expect((await fault.whenFired()).id).toBe('c2')
    expect(server.faults()[0]).toMatchObject({firedOn: ['c2'], pending: 0})
  })

  it('a query fault with `after` carries over to the next poll of the same URL in the same way', async () => {
    const {server} = await startServer({retryMs: false})
    server.publish('news', 'e1')
    const first = poll(server, 'news', {lastEventId: '0', fault: 'drop', after: 2})
    expect(await first.ended).toBe('end')
    server.publish('news', 'e2')
    server.publish('news', 'e3')
    const second = poll(server, 'news', {lastEventId: '1', fault: 'drop', after: 2})
    expect(await second.ended).toBe('aborted')
    expect(idsOf(second)).toEqual(['2'])
    // Used up: the next poll of the same URL is a plain one.
    const third = poll(server, 'news', {lastEventId: '2', fault: 'drop', after: 2})
    expect(await third.ended).toBe('end')
    expect(idsOf(third)).toEqual(['3'])
  })

  it('a trickling poll ends only once its last byte is out', async () => {
    useFakeTime()
    const {server} = await startServer({heartbeatMs: 0, retryMs: false})
    const client = poll(server, 'news')
    await server.waitForConnection((c) => c.state === 'open')
    server.inject({type: 'trickle', intervalMs: 10}, 'news')
    server.publish('news', 'slow') // 'id: 1\ndata: slow\n\n': 18 bytes
    await client.waitForText('id: 0\n\ni') // the cursor, then the first trickled byte
    await vi.advanceTimersByTimeAsync(100)
    expect(server.connection('c1')).toMatchObject({state: 'open'})
    expect(client.text.length).toBeLessThan(7 + 18)
    await vi.advanceTimersByTimeAsync(100)
    expect(await client.ended).toBe('end')
    expect(parseEvents(client.text)).toEqual([{id: '1', event: 'message', data: 'slow'}])
    expect((await closedRecord(server)).closeReason).toBe('poll-events')
  })

  it('malformed and oversized frames go into the waiting poll without ending it; an end fault ends it', async () => {
    const {server} = await startServer({retryMs: false, heartbeatMs: 0})
    const client = poll(server, 'news')
    await server.waitForConnection((c) => c.state === 'open')
    server.inject({type: 'malformed', variant: 'unknown-field'}, 'news')
    server.inject({type: 'oversized', size: 10}, 'news')
    await client.waitForText('data: xxxxxxxxxx\n\n')
    expect(server.connection('c1')?.state).toBe('open')
    server.inject({type: 'end'}, 'news')
    expect(await client.ended).toBe('end')
    expect(client.text).toBe('id: 0\n\nfoo: bar\nbaz\n\nevent: oversized\ndata: xxxxxxxxxx\n\n')
    expect((await closedRecord(server)).closeReason).toBe('fault-end')
  })
})
