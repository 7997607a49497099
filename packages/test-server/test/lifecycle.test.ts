import {describe, expect, it, vi} from 'vitest'
import {createTestServer, TestServerError} from '../src/index.js'
import {connect, handles, ioTurn, settledHandles, startServer, useFakeTime} from './helpers.js'

describe('graceful shutdown', () => {
  it('sends every stream the final event, ends it, and resolves once every socket is gone', async () => {
    const {server} = await startServer({retryMs: false, keepAliveTimeoutMs: 60_000})
    // Keep-alive clients, like browsers: the server must close their sockets itself.
    const clients = [
      connect(server.streamUrl('a'), {keepAlive: true}),
      connect(server.streamUrl('b'), {keepAlive: true}),
    ]
    await server.waitForConnection((c) => c.seq === 2 && c.state === 'open')
    useFakeTime()
    await server.close({timeoutMs: 60_000})
    for (const client of clients) {
      expect(await client.ended).toBe('end')
      expect(client.events()).toEqual([{id: undefined, event: 'shutdown', data: 'server shutting down'}])
    }
    expect(server.connections().map((c) => [c.closedBy, c.closeReason])).toEqual([
      ['server', 'shutdown'],
      ['server', 'shutdown'],
    ])
    await expect(connect(server.streamUrl('a')).response).rejects.toThrow(/ECONNREFUSED/)
  })

  it('sends a custom final event, or none', async () => {
    const {server: custom} = await startServer({retryMs: false, shutdownEvent: {event: 'bye', data: 'see you'}})
    const a = connect(custom.streamUrl('a'))
    await custom.waitForConnection((c) => c.state === 'open')
    await custom.close()
    await a.ended
    expect(a.events()).toEqual([{id: undefined, event: 'bye', data: 'see you'}])

    const {server: silent} = await startServer({retryMs: false, shutdownEvent: false})
    const b = connect(silent.streamUrl('a'))
    await silent.waitForConnection((c) => c.state === 'open')
    await silent.close()
    expect(await b.ended).toBe('end')
    expect(b.text).toBe('')
  })

  it('destroys the sockets of clients that do not leave by the deadline', async () => {
    const {server, logs} = await startServer({heartbeatMs: 0})
    const stuck = connect(server.streamUrl('news'))
    const record = await server.waitForConnection((c) => c.state === 'open')
    await stuck.response
    stuck.pause()
    // Fill the socket buffers so that the end of the response cannot reach the client.
    const chunk = 'x'.repeat(64 * 1024)
    for (let i = 0; (server.connection(record.id)?.queuedBytes ?? 0) === 0; i++) {
      if (i === 4000) throw new Error('the socket never pushed back')
      server.publish('news', chunk)
      await ioTurn()
    }
    useFakeTime()
    let closed = false
    const closing = server.close({timeoutMs: 2000}).then(() => (closed = true))
    await vi.advanceTimersByTimeAsync(1999)
    expect(closed).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await closing
    expect(logs).toContainEqual(
      expect.objectContaining({level: 'warn', message: expect.stringMatching(/deadline of 2000 ms/)}),
    )
    stuck.resume()
    expect(await stuck.ended).toBe('aborted')
  })

  it('closes idle keep-alive sockets without waiting for keepAliveTimeout or the deadline', async () => {
    const {server} = await startServer({keepAliveTimeoutMs: 60_000})
    for (const path of ['/health', '/metrics', '/control/faults'])
      expect((await fetch(server.url + path)).ok).toBe(true)
    // Time stands still: only the sockets closing by themselves can let close() resolve.
    useFakeTime()
    await server.close({timeoutMs: 60_000})
    expect(vi.getTimerCount()).toBe(0)
  })

  it('answers a connection held by a delay fault with 503 and closes its socket at once', async () => {
    const {server} = await startServer({keepAliveTimeoutMs: 60_000})
    server.inject({type: 'delay'})
    const held = connect(server.streamUrl('news'), {keepAlive: true})
    await server.waitForConnection((c) => c.state === 'connecting')
    useFakeTime()
    await server.close({timeoutMs: 60_000})
    expect(await held.status).toBe(503)
    expect(server.connections()[0]).toMatchObject({status: 503, closedBy: 'server', closeReason: 'shutdown'})
  })

  it('is idempotent, refuses new work, and rejects pending waits', async () => {
    const {server} = await startServer()
    const waiting = expect(server.waitForConnection((c) => c.channel === 'never')).rejects.toMatchObject({
      code: 'closed',
    })
    const first = server.close()
    expect(server.close()).toBe(first)
    await first
    await waiting
    expect(() => server.publish('news', 'late')).toThrow(TestServerError)
    expect(() => server.startTicker({channel: 'clock'})).toThrow(/closing/)
  })

  it('leaves no timer behind: heartbeats, stalls, trickles, holds, tickers and waits are all released', async () => {
    useFakeTime()
    const server = await createTestServer({
      heartbeatMs: 1000,
      logger: false,
      ticker: {channel: 'clock', intervalMs: 500},
    })
    const clients = [connect(server.streamUrl('a')), connect(server.streamUrl('b')), connect(server.streamUrl('c'))]
    await server.waitForConnection((c) => c.seq === 3 && c.state === 'open')
    server.inject({type: 'stall', durationMs: 60_000}, 'a')
    server.inject({type: 'trickle', intervalMs: 1000}, 'b')
    server.publish('b', 'slowly')
    server.inject({type: 'delay', durationMs: 60_000}, 'd')
    clients.push(connect(server.streamUrl('d')))
    await server.waitForConnection((c) => c.channel === 'd')
    const pending = expect(
      server.waitForConnection((c) => c.channel === 'never', {timeoutMs: 60_000}),
    ).rejects.toMatchObject({code: 'closed'})
    expect(vi.getTimerCount()).toBeGreaterThanOrEqual(7)
    await server.close()
    await pending
    expect(vi.getTimerCount()).toBe(0)
    for (const client of clients) await client.socketClosed
  })

  it('leaves no socket and no server handle behind', async () => {
    // Sockets of the previous tests may still be running their close callbacks.
    const before = await settledHandles(['TCPSocketWrap'], {TCPSocketWrap: 0})
    const server = await createTestServer({logger: false})
    const clients = [connect(server.streamUrl('a')), connect(server.streamUrl('b'), {method: 'POST', body: 'x'})]
    await server.waitForConnection((c) => c.seq === 2 && c.state === 'open')
    expect(handles().TCPServerWrap ?? 0).toBe((before.TCPServerWrap ?? 0) + 1)
    await server.close()
    for (const client of clients) await client.socketClosed
    const after = await settledHandles(['TCPServerWrap', 'TCPSocketWrap', 'Timeout'], before)
    expect(after.TCPServerWrap ?? 0).toBe(before.TCPServerWrap ?? 0)
    expect(after.TCPSocketWrap ?? 0).toBe(before.TCPSocketWrap ?? 0)
    expect(after.Timeout ?? 0).toBeLessThanOrEqual(before.Timeout ?? 0)
  })

  it('is an async disposable', async () => {
    let url: string
    {
      await using server = await createTestServer({logger: false})
      url = server.url
      expect((await fetch(`${url}/health`)).status).toBe(200)
    }
    await expect(fetch(`${url}/health`)).rejects.toThrow()
  })
})

describe('reset', () => {
  it('ends streams and drops faults, channels, ids and history, but keeps configured tickers', async () => {
    useFakeTime()
    const {server} = await startServer({ticker: {channel: 'clock', intervalMs: 100}, retryMs: false})
    const client = connect(server.streamUrl('news'))
    await server.waitForConnection((c) => c.state === 'open')
    server.publish('news', 'old')
    server.startTicker({channel: 'extra', intervalMs: 100})
    server.inject({type: 'stall'}, 'news')
    server.reset()
    expect(await client.ended).toBe('end')
    expect(server.faults()).toEqual([])
    expect(server.connections()).toEqual([])
    expect(server.events('news')).toEqual([])
    await vi.advanceTimersByTimeAsync(100)
    expect(server.channels().map((c) => [c.name, c.lastId])).toEqual([['clock', '1']])
  })
})

describe('tickers', () => {
  it('publish a ticking feed with ids; one per channel', async () => {
    useFakeTime()
    const {server} = await startServer({retryMs: false, heartbeatMs: 0})
    const client = connect(server.streamUrl('ticks'))
    await server.waitForConnection((c) => c.state === 'open')
    const first = server.startTicker({channel: 'ticks', intervalMs: 1000, data: (n) => `tick ${n}`})
    await vi.advanceTimersByTimeAsync(2000)
    const second = server.startTicker({channel: 'ticks', intervalMs: 500, event: 'beat'})
    expect(first.ticks).toBe(2)
    await vi.advanceTimersByTimeAsync(500)
    second.stop()
    await vi.advanceTimersByTimeAsync(5000)
    const events = await client.waitForEvents(3)
    expect(events.map((e) => [e.id, e.event, e.data.startsWith('{') ? JSON.parse(e.data).n : e.data])).toEqual([
      ['1', 'message', 'tick 1'],
      ['2', 'message', 'tick 2'],
      ['3', 'beat', 1],
    ])
    expect(vi.getTimerCount()).toBe(0)
  })
})
