import {describe, expect, it, vi} from 'vitest'
import {MAX_BODY_BYTES} from '../src/http/json.js'
import {call, connect, startServer, useFakeTime} from './helpers.js'

describe('the control API', () => {
  it('lists its commands at GET /control', async () => {
    const {server} = await startServer()
    const {status, body} = await call(server, 'GET', '/control')
    expect(status).toBe(200)
    expect(body.commands).toContain('POST /control/publish')
    expect(body.commands).toContain('GET /control/connections/wait')
  })

  it('publishes one event or a batch, with ids', async () => {
    const {server} = await startServer({retryMs: false})
    const client = connect(server.streamUrl('news'))
    await server.waitForConnection((c) => c.state === 'open')
    const one = await call(server, 'POST', '/control/publish', {channel: 'news', data: 'hi', event: 'greeting'})
    expect(one.status).toBe(201)
    expect(one.body.event).toMatchObject({id: '1', channel: 'news', event: 'greeting', data: 'hi'})
    const batch = await call(server, 'POST', '/control/publish', {
      channel: 'news',
      events: [{data: 'a'}, {data: {b: 1}}],
    })
    expect(batch.body.events.map((e: {id: string}) => e.id)).toEqual(['2', '3'])
    expect((await client.waitForEvents(3)).map((e) => e.data)).toEqual(['hi', 'a', '{"b":1}'])
    const fallback = await call(server, 'POST', '/control/publish', {data: 'to default'})
    expect(fallback.body.event.channel).toBe('default')
  })

  it.each([
    [{channel: 'news'}, 'invalid-request', /`data` is required/],
    [{channel: 'news', data: 'x', colour: 'red'}, 'invalid-request', /Unknown field `colour`/],
    [{channel: 'news', data: 'x', event: 'two\nlines'}, 'invalid-request', /`event` must be a non-empty string/],
    [{channel: 'news', data: 'x', retry: -1}, 'invalid-request', /`retry` must be a non-negative integer, got -1/],
    [{channel: 'bad name', data: 'x'}, 'invalid-channel', /Invalid channel name "bad name"/],
    [{channel: 'news', events: [{data: 'ok'}, {nope: 1}]}, 'invalid-request', /events\[1\]: .*unknown field `nope`/],
    [{channel: 'news', events: []}, 'invalid-request', /`events` must be a non-empty array/],
    [[1, 2], 'invalid-request', /must be a JSON object/],
  ])('refuses to publish %j with a 400 naming the problem', async (body, code, message) => {
    const {server} = await startServer()
    const answer = await call(server, 'POST', '/control/publish', body)
    expect(answer.status).toBe(400)
    expect(answer.body.error).toEqual({code, message: expect.stringMatching(message)})
    expect(server.events('news')).toEqual([])
  })

  it('injects, lists, reads and clears faults', async () => {
    const {server} = await startServer()
    const injected = await call(server, 'POST', '/control/faults', {
      type: 'status',
      status: 503,
      times: 2,
      channel: 'news',
    })
    expect(injected.status).toBe(201)
    expect(injected.body.fault).toMatchObject({
      id: 'f1',
      fault: {type: 'status', status: 503, times: 2},
      target: {channel: 'news'},
      via: 'control',
      pending: 2,
    })
    expect(await connect(server.streamUrl('news')).status).toBe(503)
    expect((await call(server, 'GET', '/control/faults/f1')).body.fault).toMatchObject({pending: 1, firedOn: ['c1']})
    await call(server, 'POST', '/control/faults', {type: 'stall', channel: 'other'})
    expect((await call(server, 'GET', '/control/faults')).body.faults.map((f: {id: string}) => f.id)).toEqual([
      'f1',
      'f2',
    ])
    expect((await call(server, 'DELETE', '/control/faults?channel=other')).body).toEqual({cleared: 1})
    expect((await call(server, 'DELETE', '/control/faults/f1')).body).toEqual({cleared: 1})
    expect((await call(server, 'DELETE', '/control/faults/f1')).body.error.code).toBe('unknown-fault')
    expect(await connect(server.streamUrl('news')).status).toBe(200)
    expect((await call(server, 'DELETE', '/control/faults')).body).toEqual({cleared: 0})
  })

  it('waits for a fault to fire', async () => {
    const {server} = await startServer()
    const {body} = await call(server, 'POST', '/control/faults', {type: 'status', status: 500})
    const fired = call(server, 'GET', `/control/faults/${body.fault.id}/fired?timeoutMs=5000`)
    connect(server.streamUrl('news'))
    expect((await fired).body.connection).toMatchObject({id: 'c1', status: 500})
  })

  it('rejects bad faults with a 400 naming the problem', async () => {
    const {server} = await startServer()
    const cases: Array<[unknown, string, RegExp]> = [
      [
        {type: 'stall', durationMs: -5},
        'invalid-fault',
        /`durationMs` of a stall fault must be an integer >= 1, got -5/,
      ],
      [{type: 'nope'}, 'invalid-fault', /unknown type "nope"/],
      [{type: 'drop', connection: 'c404'}, 'unknown-connection', /No open connection with id c404/],
      [{type: 'drop', channel: 5}, 'invalid-request', /`channel` must be a string/],
      ['"stall"', 'invalid-fault', /expected an object/],
    ]
    for (const [body, code, message] of cases) {
      const answer = await call(server, 'POST', '/control/faults', body)
      expect(answer.status).toBe(400)
      expect(answer.body.error).toEqual({code, message: expect.stringMatching(message)})
    }
  })

  it('resumes stalled streams', async () => {
    const {server} = await startServer()
    const client = connect(server.streamUrl('news'))
    await server.waitForConnection((c) => c.state === 'open')
    await call(server, 'POST', '/control/faults', {type: 'stall', channel: 'news'})
    server.publish('news', 'during the stall')
    expect((await call(server, 'POST', '/control/resume', {channel: 'news'})).body).toEqual({resumed: 1})
    expect((await client.waitForEvents(1))[0]?.data).toBe('during the stall')
    expect((await call(server, 'POST', '/control/resume', {})).body).toEqual({resumed: 0})
    expect((await call(server, 'POST', '/control/resume', {chanel: 'x'})).body.error.message).toMatch(
      /Unknown field `chanel` \(expected channel, connection; did you mean channel\?\)/,
    )
  })

  it('names the targets, and the likely one, when a fault request misspells `channel`', async () => {
    const {server} = await startServer()
    const answer = await call(server, 'POST', '/control/faults', {type: 'stall', chanel: 'news'})
    expect(answer.status).toBe(400)
    expect(answer.body.error).toEqual({
      code: 'invalid-fault',
      message:
        'Invalid fault: unknown field `chanel` for a stall fault (expected durationMs, times, after; ' +
        'target: channel, connection; did you mean channel?)',
    })
    expect(server.faults()).toEqual([])
  })

  it('reports connections, filtered, one by one, and refuses unknown ones', async () => {
    const {server} = await startServer()
    const a = connect(server.streamUrl('a'), {headers: {'Last-Event-ID': '0'}})
    connect(server.streamUrl('b'))
    await server.waitForConnection((c) => c.seq === 2 && c.state === 'open')
    a.close()
    await server.waitForClose('c1')
    const all = await call(server, 'GET', '/control/connections')
    expect(all.body.connections.map((c: {id: string; state: string}) => [c.id, c.state])).toEqual([
      ['c1', 'closed'],
      ['c2', 'open'],
    ])
    const open = await call(server, 'GET', '/control/connections?state=open')
    expect(open.body.connections.map((c: {id: string}) => c.id)).toEqual(['c2'])
    const ofA = await call(server, 'GET', '/control/connections?channel=a')
    expect(ofA.body.connections[0]).toMatchObject({id: 'c1', lastEventId: '0', closedBy: 'client'})
    expect((await call(server, 'GET', '/control/connections/c2')).body.connection.channel).toBe('b')
    const unknown = await call(server, 'GET', '/control/connections?channel=zzz')
    expect(unknown.status).toBe(400)
    expect(unknown.body.error).toEqual({
      code: 'unknown-channel',
      message: expect.stringMatching(/No channel named 'zzz' \(known: a, b\)/),
    })
    expect((await call(server, 'GET', '/control/connections?state=gone')).body.error.message).toMatch(
      /`state` must be one of connecting, open, closed, got "gone"/,
    )
    expect((await call(server, 'GET', '/control/connections/c99')).body.error.code).toBe('unknown-connection')
  })

  it('long-polls for a connection, so a test in another process never sleeps', async () => {
    const {server} = await startServer()
    const first = connect(server.streamUrl('feed'))
    await server.waitForConnection()
    const waiting = call(server, 'GET', '/control/connections/wait?channel=feed&after=c1&lastEventId=7')
    first.close()
    connect(server.streamUrl('feed'), {headers: {'Last-Event-ID': '7'}})
    expect((await waiting).body.connection).toMatchObject({id: 'c2', lastEventId: '7'})
    const closed = call(server, 'GET', '/control/connections/c2/closed')
    await call(server, 'POST', '/control/faults', {type: 'end', connection: 'c2'})
    expect((await closed).body.connection).toMatchObject({state: 'closed', closedBy: 'fault'})
  })

  it('answers a wait that times out with 408', async () => {
    const {server} = await startServer()
    // Nothing ever connects to this channel: the outcome does not depend on timing, only the 20 ms wait does.
    const answer = await call(server, 'GET', '/control/connections/wait?channel=nobody&timeoutMs=20')
    expect(answer.status).toBe(408)
    expect(answer.body.error).toEqual({
      code: 'timeout',
      message:
        'No connection with channel nobody arrived; connections seen: none (waited 20 ms; pass a larger timeoutMs to wait longer)',
    })
    connect(server.streamUrl('feed'))
    await server.waitForConnection((c) => c.state === 'open')
    const wait = '/control/connections/wait?channel=feed&after=c1&lastEventId=1&transport=stream&timeoutMs=20'
    expect((await call(server, 'GET', wait)).body.error.message).toBe(
      'No connection with channel feed, Last-Event-ID 1, transport stream arrived after c1; connections seen: none ' +
        '(waited 20 ms; pass a larger timeoutMs to wait longer)',
    )
  })

  it('reports channels and their logs, and deletes a channel', async () => {
    const {server} = await startServer({replayLimit: 2})
    const client = connect(server.streamUrl('news'))
    await server.waitForConnection((c) => c.state === 'open')
    for (const data of ['a', 'b', 'c']) server.publish('news', data)
    expect((await call(server, 'GET', '/control/channels')).body.channels).toEqual([
      {name: 'news', lastId: '3', oldestId: '2', logSize: 2, openConnections: 1},
    ])
    const one = await call(server, 'GET', '/control/channels/news')
    expect(one.body.events.map((e: {data: string}) => e.data)).toEqual(['b', 'c'])
    expect((await call(server, 'DELETE', '/control/channels/news')).body).toEqual({deleted: 'news'})
    expect(await client.ended).toBe('end')
    expect((await call(server, 'GET', '/control/channels/news')).body.error.code).toBe('unknown-channel')
  })

  it('starts and stops tickers', async () => {
    useFakeTime()
    const {server} = await startServer({retryMs: false, heartbeatMs: 0})
    const client = connect(server.streamUrl('clock'))
    await server.waitForConnection((c) => c.state === 'open')
    const started = await call(server, 'POST', '/control/tickers', {channel: 'clock', intervalMs: 100, event: 'tick'})
    expect(started.body.ticker).toEqual({channel: 'clock', intervalMs: 100, ticks: 0})
    await vi.advanceTimersByTimeAsync(300)
    const events = await client.waitForEvents(3)
    expect(events.map((e) => [e.id, e.event, JSON.parse(e.data).n])).toEqual([
      ['1', 'tick', 1],
      ['2', 'tick', 2],
      ['3', 'tick', 3],
    ])
    expect((await call(server, 'GET', '/control/tickers')).body.tickers).toEqual([
      {channel: 'clock', intervalMs: 100, ticks: 3},
    ])
    expect((await call(server, 'DELETE', '/control/tickers/clock')).body).toEqual({stopped: 'clock'})
    expect((await call(server, 'DELETE', '/control/tickers/clock')).status).toBe(400)
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.channels()[0]?.lastId).toBe('3')
  })

  it('resets everything', async () => {
    const {server} = await startServer()
    const client = connect(server.streamUrl('news'))
    await server.waitForConnection((c) => c.state === 'open')
    server.publish('news', 'x')
    server.inject({type: 'status', status: 500, times: 'all'})
    expect((await call(server, 'POST', '/control/reset')).body).toEqual({reset: true})
    expect(await client.ended).toBe('end')
    expect(server.faults()).toEqual([])
    expect(server.channels()).toEqual([])
    expect(server.connections()).toEqual([])
    expect(server.publish('news', 'fresh').id).toBe('1')
  })

  it('answers bad requests with JSON errors while the streams keep flowing', async () => {
    const {server} = await startServer({retryMs: false})
    const client = connect(server.streamUrl('news'))
    await server.waitForConnection((c) => c.state === 'open')
    const unknown = await call(server, 'POST', '/control/explode')
    expect(unknown.status).toBe(400)
    expect(unknown.body.error).toEqual({
      code: 'unknown-command',
      message: expect.stringMatching(/Unknown control command 'explode' \(commands: publish, faults, resume/),
    })
    const wrongMethod = await call(server, 'GET', '/control/publish')
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get('allow')).toBe('POST')
    expect(wrongMethod.body.error.code).toBe('method-not-allowed')
    const badJson = await call(server, 'POST', '/control/publish', '{"data": ')
    expect(badJson.status).toBe(400)
    expect(badJson.body.error.code).toBe('invalid-json')
    const huge = await call(server, 'POST', '/control/publish', JSON.stringify({data: 'x'.repeat(MAX_BODY_BYTES)}))
    expect(huge.status).toBe(413)
    expect(huge.body.error.code).toBe('payload-too-large')
    const nowhere = await call(server, 'GET', '/nowhere')
    expect(nowhere.status).toBe(404)
    expect(nowhere.body.error.code).toBe('not-found')
    server.publish('news', 'unaffected')
    expect((await client.waitForEvents(1))[0]?.data).toBe('unaffected')
  })

  it('serves /health', async () => {
    const {server} = await startServer()
    const {status, body} = await call(server, 'GET', '/health')
    expect(status).toBe(200)
    expect(body).toMatchObject({status: 'ok', connections: 0, channels: 0})
  })
})
