import {describe, expect, it} from 'vitest'
import {connect, startServer} from './helpers.js'

describe('a channel scope', () => {
  it('gets a unique channel and aims everything at it', async () => {
    const {server} = await startServer({retryMs: false})
    const mine = server.scope()
    const theirs = server.scope()
    expect(mine.channel).not.toBe(theirs.channel)
    expect(mine.url).toBe(server.streamUrl(mine.channel))
    const client = connect(mine.url)
    const other = connect(theirs.url)
    const first = await mine.nextConnection()
    expect(first.channel).toBe(mine.channel)
    await theirs.nextConnection()
    expect(mine.publish('hello').id).toBe('1')
    expect((await client.waitForEvents(1))[0]?.data).toBe('hello')
    mine.inject({type: 'end'})
    expect(await client.ended).toBe('end')
    expect(server.connection('c2')?.state).toBe('open')
    expect(mine.events().map((e) => e.data)).toEqual(['hello'])
    expect(mine.connections().map((c) => c.id)).toEqual([first.id])
    other.close()
  })

  it('hands out connections one by one with nextConnection, including those that arrived before the call', async () => {
    const {server} = await startServer()
    const scope = server.scope('feed')
    const a = connect(scope.url)
    await server.waitForConnection((c) => c.state === 'open')
    a.close()
    connect(scope.streamUrl({lastEventId: 3}))
    const first = await scope.nextConnection()
    const second = await scope.nextConnection()
    expect([first.seq, second.seq]).toEqual([1, 2])
    expect(second.lastEventId).toBe('3')
    const third = scope.nextConnection()
    connect(scope.url)
    expect((await third).seq).toBe(3)
  })

  it('resolves nextConnection with the connection as answered: opened with its replay, or its status', async () => {
    const {server} = await startServer()
    const scope = server.scope('answered')
    scope.publish('one')
    scope.publish('two')
    connect(scope.streamUrl({lastEventId: 1}))
    const resumed = await scope.nextConnection()
    expect(resumed).toMatchObject({
      state: 'open',
      status: 200,
      lastEventId: '1',
      replay: {result: 'replayed', events: 1},
    })
    scope.inject({type: 'status', status: 503})
    connect(scope.url)
    expect(await scope.nextConnection()).toMatchObject({state: 'closed', status: 503, closeReason: 'fault-status'})
  })

  it('waits for a connection held by a delay fault to be answered, and says so when it is not', async () => {
    const {server} = await startServer()
    const scope = server.scope('held')
    scope.inject({type: 'delay'})
    connect(scope.url)
    await expect(scope.nextConnection({timeoutMs: 50})).rejects.toThrow(
      /c1 arrived on 'held' but was not answered \(held by a delay fault\?\)/,
    )
    const scope2 = server.scope('held-then-released')
    scope2.inject({type: 'delay'})
    connect(scope2.url)
    const next = scope2.nextConnection()
    await server.waitForConnection((c) => c.channel === scope2.channel)
    expect(server.connection('c2')?.state).toBe('connecting')
    scope2.resume()
    expect(await next).toMatchObject({id: 'c2', state: 'open', status: 200})
  })

  it('takes its default wait from the scope options, asked at each call, and adds their hint to a timeout', async () => {
    const {server} = await startServer()
    let budget = 30
    const scope = server.scope('budget', {timeoutMs: () => budget, timeoutHint: 'raise the budget'})
    await expect(scope.nextConnection()).rejects.toThrow(
      /No connection matched the predicate; connections seen: none \(waited 30 ms; pass a larger timeoutMs to wait longer\); raise the budget$/,
    )
    budget = Infinity
    const next = scope.nextConnection()
    connect(scope.url)
    expect((await next).channel).toBe('budget')
  })

  it('clears its faults and resumes only its own streams', async () => {
    const {server} = await startServer()
    const scope = server.scope()
    server.inject({type: 'status', status: 500}, 'elsewhere')
    scope.inject({type: 'status', status: 503, times: 'all'})
    expect(await connect(scope.url).status).toBe(503)
    expect(scope.clearFaults()).toBe(1)
    expect(server.faults().map((f) => f.target)).toEqual([{channel: 'elsewhere'}])
    connect(scope.url)
    const open = await scope.waitForConnection((c) => c.state === 'open')
    scope.inject({type: 'stall'}, {connection: open.id})
    expect(server.connection(open.id)?.stalled).toBe(true)
    expect(scope.resume()).toBe(1)
  })

  it('ends its streams, stops its ticker and forgets its channel on dispose', async () => {
    const {server} = await startServer()
    const scope = server.scope()
    const client = connect(scope.url)
    const record = await scope.waitForConnection((c) => c.state === 'open')
    scope.startTicker({intervalMs: 60_000})
    scope.inject({type: 'stall', after: 5})
    scope.dispose()
    expect(await client.ended).toBe('end')
    expect(server.connection(record.id)).toBeUndefined()
    expect(server.channels()).toEqual([])
    expect(server.faults()).toEqual([])
    expect(await server.metrics()).toContain('holdfast_disconnects_total{reason="scope-disposed"} 1')
  })
})
