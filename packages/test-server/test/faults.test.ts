import {describe, expect, it, vi} from 'vitest'
import {TestServerError, type MalformedVariant} from '../src/index.js'
import {connect, startServer, useFakeTime, type TestClient} from './helpers.js'
import type {TestServer} from '../src/index.js'

/** Opens a stream and waits until the server answered it with a stream (it may be closed again already). */
async function open(server: TestServer, channel = 'news', init?: Parameters<typeof connect>[1]) {
  const client = connect(server.streamUrl(channel), init)
  const before = server.connections().at(-1)
  const record = await server.waitForConnection((c) => c.channel === channel && c.status === 200, {
    ...(before ? {after: before} : {}),
  })
  await client.response
  return {client, record}
}

function publishMany(server: TestServer, channel: string, from: number, to: number): void {
  for (let i = from; i <= to; i++) server.publish(channel, `e${i}`)
}

const idsOf = (client: TestClient): Array<string | undefined> => client.events().map((e) => e.id)

describe('stall', () => {
  it('writes no bytes at all, heartbeats included, keeps the socket open, and catches up on resume', async () => {
    useFakeTime()
    const {server} = await startServer({heartbeatMs: 1000, retryMs: false})
    const {client, record} = await open(server)
    server.publish('news', 'e1')
    await client.waitForEvents(1)
    const handle = server.inject({type: 'stall'}, 'news')
    expect(handle.fired).toBe(1)
    const stalledAt = server.connection(record.id)
    expect(stalledAt?.stalled).toBe(true)
    publishMany(server, 'news', 2, 3)
    await vi.advanceTimersByTimeAsync(10_000)
    const during = server.connection(record.id)
    expect(during).toMatchObject({state: 'open', bytesSent: stalledAt?.bytesSent, heartbeatsSent: 0})
    expect(client.text).toBe('id: 1\ndata: e1\n\n')

    expect(server.resume('news')).toBe(1)
    expect(idsOf(client)).toEqual(['1'])
    await client.waitForEvents(3)
    expect(idsOf(client)).toEqual(['1', '2', '3'])
    await vi.advanceTimersByTimeAsync(1000)
    await client.waitForText(': heartbeat')
    expect(server.connection(record.id)?.stalled).toBe(false)
  })

  it('lifts itself after durationMs', async () => {
    useFakeTime()
    const {server} = await startServer({heartbeatMs: 0})
    const {client, record} = await open(server)
    server.inject({type: 'stall', durationMs: 2000})
    server.publish('news', 'late')
    await vi.advanceTimersByTimeAsync(1999)
    expect(server.connection(record.id)?.stalled).toBe(true)
    await vi.advanceTimersByTimeAsync(1)
    expect(await client.waitForEvents(1)).toEqual([{id: '1', event: 'message', data: 'late'}])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('loses no event: a client that gives up and reconnects with Last-Event-ID gets what was published meanwhile', async () => {
    const {server} = await startServer()
    const {client, record} = await open(server)
    server.publish('news', 'e1')
    await client.waitForEvents(1)
    server.inject({type: 'stall'}, 'news')
    publishMany(server, 'news', 2, 4)
    // The client's watchdog would give up here; it leaves and comes back with the last id it saw.
    client.close()
    await server.waitForClose(record)
    const {client: again} = await open(server, 'news', {headers: {'Last-Event-ID': '1'}})
    expect((await again.waitForEvents(3)).map((e) => e.data)).toEqual(['e2', 'e3', 'e4'])
  })

  it('fires after N events with `after`', async () => {
    const {server} = await startServer({heartbeatMs: 0})
    const {client, record} = await open(server)
    const handle = server.inject({type: 'stall', after: 2}, 'news')
    expect(handle.fired).toBe(0)
    publishMany(server, 'news', 1, 4)
    expect(await handle.whenFired()).toMatchObject({id: record.id, stalled: true, eventsSent: 2})
    await client.waitForEvents(2)
    expect(server.connection(record.id)?.eventsSent).toBe(2)
    handle.resume()
    expect((await client.waitForEvents(4)).map((e) => e.id)).toEqual(['1', '2', '3', '4'])
  })
})

describe('drop', () => {
  it('destroys the socket without ending the response', async () => {
    const {server} = await startServer()
    const {client, record} = await open(server)
    server.inject({type: 'drop'}, {connection: record.id})
    expect(await client.ended).toBe('aborted')
    expect(server.connection(record.id)).toMatchObject({state: 'closed', closedBy: 'fault', closeReason: 'fault-drop'})
    expect(server.connection(record.id)?.faults).toEqual([{id: 'f1', type: 'drop', via: 'api'}])
  })

  it('cuts the 5th event in the middle with `midEvent` and `after: 4`; the client resumes at the 4th', async () => {
    const {server} = await startServer({retryMs: false, heartbeatMs: 0})
    server.inject({type: 'drop', midEvent: true, after: 4}, 'news')
    const {client, record} = await open(server)
    publishMany(server, 'news', 1, 6)
    expect(await client.ended).toBe('aborted')
    const fifth = 'id: 5\ndata: e5\n\n'
    expect(client.text).toBe(
      [1, 2, 3, 4].map((i) => `id: ${i}\ndata: e${i}\n\n`).join('') + fifth.slice(0, fifth.length / 2),
    )
    expect(server.connection(record.id)).toMatchObject({eventsSent: 4, lastSentId: '4', closeReason: 'fault-drop'})
    const {client: again} = await open(server, 'news', {headers: {'Last-Event-ID': '4'}})
    expect((await again.waitForEvents(2)).map((e) => e.id)).toEqual(['5', '6'])
  })

  it('can reset the connection (TCP RST) instead', async () => {
    const {server} = await startServer()
    const {client, record} = await open(server)
    server.inject({type: 'drop', reset: true})
    expect(await client.ended).toBe('aborted')
    expect(server.connection(record.id)?.closeReason).toBe('fault-drop')
  })
})

describe('end', () => {
  it('ends the response cleanly after N events', async () => {
    const {server} = await startServer({retryMs: false})
    const {client, record} = await open(server)
    server.inject({type: 'end', after: 1})
    publishMany(server, 'news', 1, 2)
    expect(await client.ended).toBe('end')
    expect(idsOf(client)).toEqual(['1'])
    expect(server.connection(record.id)).toMatchObject({closedBy: 'fault', closeReason: 'fault-end'})
  })
})

describe('status', () => {
  it('answers the next K connections with the status, Retry-After and body, then streams again', async () => {
    const {server} = await startServer()
    const handle = server.inject({type: 'status', status: 503, retryAfter: 7, body: 'busy', times: 2}, 'news')
    for (const _ of [1, 2]) {
      const client = connect(server.streamUrl('news'))
      expect(await client.status).toBe(503)
      expect((await client.headers)['retry-after']).toBe('7')
      await client.ended
      expect(client.text).toBe('busy')
    }
    expect(handle.fired).toBe(2)
    expect(handle.pending).toBe(0)
    const healthy = connect(server.streamUrl('news'))
    expect(await healthy.status).toBe(200)
    expect(server.connections('news').map((c) => [c.status, c.closeReason])).toEqual([
      [503, 'fault-status'],
      [503, 'fault-status'],
      [200, undefined],
    ])
  })

  it('defaults the body to the reason phrase, sends none for 204, and keeps CORS headers', async () => {
    const {server} = await startServer()
    server.inject({type: 'status', status: 502})
    server.inject({type: 'status', status: 204})
    const bad = connect(server.streamUrl('news'), {headers: {Origin: 'http://app.test'}})
    expect(await bad.status).toBe(502)
    expect((await bad.headers)['access-control-allow-origin']).toBe('http://app.test')
    await bad.ended
    expect(bad.text).toBe('502 Bad Gateway')
    const none = connect(server.streamUrl('news'))
    expect(await none.status).toBe(204)
    await none.ended
    expect(none.text).toBe('')
  })

  it('sends extra headers, for a redirect say', async () => {
    const {server} = await startServer()
    server.inject({type: 'status', status: 307, headers: {Location: '/sse/elsewhere'}})
    const client = connect(server.streamUrl('news'))
    expect(await client.status).toBe(307)
    expect((await client.headers).location).toBe('/sse/elsewhere')
  })

  it('a redirect that answers once, then 410 Gone on every later connection (README recipe)', async () => {
    const {server} = await startServer()
    server.inject({type: 'status', status: 307, headers: {Location: '/sse/elsewhere'}})
    server.inject({type: 'status', status: 410, times: 'all'})
    const statuses = []
    for (const _ of [1, 2, 3]) statuses.push(await connect(server.streamUrl('news')).status)
    expect(statuses).toEqual([307, 410, 410])
    expect(server.connections('news').map((c) => [c.method, c.url, c.status])).toEqual([
      ['GET', '/sse/news', 307],
      ['GET', '/sse/news', 410],
      ['GET', '/sse/news', 410],
    ])
  })

  it('does not use up stream faults meant for the connection after it', async () => {
    const {server} = await startServer({retryMs: false})
    server.inject({type: 'status', status: 500})
    server.inject({type: 'end', after: 1})
    expect(await connect(server.streamUrl('news')).status).toBe(500)
    const {client} = await open(server)
    publishMany(server, 'news', 1, 2)
    expect(await client.ended).toBe('end')
    expect(idsOf(client)).toEqual(['1'])
  })

  it('gives each new connection at most one fault of a type, oldest first', async () => {
    const {server} = await startServer()
    server.inject({type: 'status', status: 503})
    server.inject({type: 'status', status: 500})
    const statuses = []
    for (const _ of [1, 2, 3]) statuses.push(await connect(server.streamUrl('news')).status)
    expect(statuses).toEqual([503, 500, 200])
  })
})

describe('content-type', () => {
  it('answers 200 with the wrong type while the events still flow', async () => {
    const {server} = await startServer()
    server.inject({type: 'content-type'})
    const client = connect(server.streamUrl('news'))
    expect((await client.headers)['content-type']).toBe('text/plain; charset=utf-8')
    await server.waitForConnection((c) => c.state === 'open')
    server.publish('news', 'still here')
    expect((await client.waitForEvents(1))[0]?.data).toBe('still here')
    server.inject({type: 'content-type', contentType: 'application/json'})
    expect((await connect(server.streamUrl('news')).headers)['content-type']).toBe('application/json')
  })
})

describe('malformed', () => {
  const cases: Array<[MalformedVariant, string, string[]]> = [
    ['garbage', '\xff\xfe\x00 %$#@! garbage frame \x7f\n\n', ['after']],
    ['invalid-utf8', 'data: caf\xc3(\xff\n\n', ['caf\ufffd(\ufffd', 'after']],
    ['unknown-field', 'foo: bar\nbaz\n\n', ['after']],
    ['bad-retry', 'retry: soon\n\n', ['after']],
    ['nul-id', 'id: 1\x002\ndata: nul-id\n\n', ['nul-id', 'after']],
    ['unterminated', 'data: unterminated\n', ['unterminated\nafter']],
  ]

  it.each(cases)('writes the %s frame byte for byte', async (variant, bytes, dispatched) => {
    const {server} = await startServer({retryMs: false, heartbeatMs: 0})
    const {client} = await open(server)
    server.inject({type: 'malformed', variant})
    server.publish('news', 'after')
    await client.waitForText('data: after\n\n')
    expect(client.text).toBe(`${bytes}id: 1\ndata: after\n\n`)
    expect(client.events().map((e) => e.data)).toEqual(dispatched)
  })

  it('writes a custom frame exactly as given, after N events', async () => {
    const {server} = await startServer({retryMs: false, heartbeatMs: 0})
    const {client} = await open(server)
    server.inject({type: 'malformed', frame: 'data: no blank line', after: 1})
    server.publish('news', 'first')
    await client.waitForText('data: no blank line')
    expect(client.text).toBe('id: 1\ndata: first\n\ndata: no blank line')
  })
})

describe('oversized', () => {
  it('writes one event of N bytes of data, without an id', async () => {
    const {server} = await startServer({retryMs: false})
    const {client} = await open(server)
    server.inject({type: 'oversized', size: 100_000})
    const [event] = await client.waitForEvents(1)
    expect(event?.event).toBe('oversized')
    expect(event?.id).toBeUndefined()
    expect(event?.data).toBe('x'.repeat(100_000))
  })
})

describe('trickle', () => {
  it('writes one byte per interval until cleared, then the rest at once', async () => {
    useFakeTime()
    const {server} = await startServer({retryMs: false, heartbeatMs: 0})
    const {client, record} = await open(server)
    const handle = server.inject({type: 'trickle', intervalMs: 50})
    server.publish('news', 'abc')
    const frame = 'id: 1\ndata: abc\n\n'
    await client.waitFor((text) => text === frame.slice(0, 1))
    for (let sent = 2; sent <= 5; sent++) {
      await vi.advanceTimersByTimeAsync(49)
      expect(server.connection(record.id)?.bytesSent).toBe(sent - 1)
      await vi.advanceTimersByTimeAsync(1)
      await client.waitFor((text) => text === frame.slice(0, sent))
    }
    expect(server.connection(record.id)?.queuedBytes).toBe(frame.length - 5)
    expect(handle.clear()).toBe(true)
    await client.waitFor((text) => text === frame)
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('delay', () => {
  it('holds the response head for durationMs', async () => {
    useFakeTime()
    const {server} = await startServer()
    server.inject({type: 'delay', durationMs: 3000})
    const client = connect(server.streamUrl('news'))
    let answered = false
    void client.response.then(() => (answered = true))
    const held = await server.waitForConnection((c) => c.state === 'connecting')
    await vi.advanceTimersByTimeAsync(2999)
    expect(server.connection(held.id)?.state).toBe('connecting')
    expect(answered).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(await client.status).toBe(200)
    expect(server.connection(held.id)).toMatchObject({state: 'open', faults: [{type: 'delay'}]})
  })

  it('holds until resumed when no duration is given, and replays from the Last-Event-ID then', async () => {
    const {server} = await startServer()
    server.publish('news', 'e1')
    server.inject({type: 'delay'}, 'news')
    const client = connect(server.streamUrl('news'), {headers: {'Last-Event-ID': '1'}})
    await server.waitForConnection((c) => c.state === 'connecting')
    server.publish('news', 'e2')
    expect(server.resume({channel: 'news'})).toBe(1)
    expect((await client.waitForEvents(1)).map((e) => e.data)).toEqual(['e2'])
  })

  it('releases the hold when the client leaves first', async () => {
    useFakeTime()
    const {server} = await startServer()
    server.inject({type: 'delay', durationMs: 60_000})
    const client = connect(server.streamUrl('news'))
    const held = await server.waitForConnection((c) => c.state === 'connecting')
    client.close()
    expect(await server.waitForClose(held)).toMatchObject({closedBy: 'client', status: undefined})
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('heartbeat', () => {
  it('changes the interval until cleared', async () => {
    useFakeTime()
    const {server} = await startServer({heartbeatMs: 10_000, retryMs: false})
    const {client, record} = await open(server)
    const handle = server.inject({type: 'heartbeat', intervalMs: 100})
    await vi.advanceTimersByTimeAsync(300)
    await client.waitFor((text) => text === ': heartbeat\n\n'.repeat(3))
    handle.clear()
    await vi.advanceTimersByTimeAsync(9_999)
    expect(server.connection(record.id)?.heartbeatsSent).toBe(3)
    await vi.advanceTimersByTimeAsync(1)
    expect(server.connection(record.id)?.heartbeatsSent).toBe(4)
  })

  it('stops heartbeats with an interval of 0', async () => {
    useFakeTime()
    const {server} = await startServer({heartbeatMs: 1000})
    const {record} = await open(server)
    server.inject({type: 'heartbeat', intervalMs: 0})
    await vi.advanceTimersByTimeAsync(5000)
    expect(server.connection(record.id)?.heartbeatsSent).toBe(0)
  })
})

describe('refuse', () => {
  it('resets new connections without any response', async () => {
    const {server} = await startServer()
    server.inject({type: 'refuse', times: 2})
    for (const _ of [1, 2]) {
      const client = connect(server.streamUrl('news'))
      await expect(client.response).rejects.toThrow(/ECONNRESET|socket hang up/)
    }
    expect(await connect(server.streamUrl('news')).status).toBe(200)
    expect(server.connections().map((c) => [c.status, c.closedBy, c.closeReason])).toEqual([
      [undefined, 'fault', 'fault-refuse'],
      [undefined, 'fault', 'fault-refuse'],
      [200, undefined, undefined],
    ])
  })
})

describe('targets and counts', () => {
  it('aims a channel fault at that channel only, and a fault without target at every channel', async () => {
    const {server} = await startServer()
    const a = await open(server, 'a')
    const b = await open(server, 'b')
    server.inject({type: 'end'}, {channel: 'a'})
    expect(await a.client.ended).toBe('end')
    expect(server.connection(b.record.id)?.state).toBe('open')
    server.inject({type: 'end'})
    expect(await b.client.ended).toBe('end')
  })

  it('takes the open connections first, oldest first, then new ones, `times` in all', async () => {
    const {server} = await startServer()
    const first = await open(server)
    const second = await open(server)
    const handle = server.inject({type: 'end', times: 3})
    expect(await first.client.ended).toBe('end')
    expect(await second.client.ended).toBe('end')
    expect(handle.pending).toBe(1)
    const third = await open(server)
    expect(await third.client.ended).toBe('end')
    const fourth = await open(server)
    expect(server.connection(fourth.record.id)?.state).toBe('open')
    expect(server.faults()).toEqual([
      expect.objectContaining({
        id: handle.id,
        pending: 0,
        firedOn: [first.record.id, second.record.id, third.record.id],
      }),
    ])
  })

  it('applies `times: "all"` to every connection until cleared', async () => {
    const {server} = await startServer()
    const handle = server.inject({type: 'status', status: 503, times: 'all'})
    for (const _ of [1, 2, 3]) expect(await connect(server.streamUrl('news')).status).toBe(503)
    expect(handle.pending).toBe(Infinity)
    expect(server.faults()[0]?.pending).toBe('all')
    expect(server.clearFaults()).toBe(1)
    expect(await connect(server.streamUrl('news')).status).toBe(200)
  })

  it('aims at one connection, which must be open and cannot take a connect fault', async () => {
    const {server} = await startServer()
    const {record} = await open(server)
    expect(() => server.inject({type: 'stall'}, {connection: 'c99'})).toThrow(
      expect.objectContaining({code: 'unknown-connection'}),
    )
    expect(() => server.inject({type: 'status', status: 500}, {connection: record.id})).toThrow(
      /cannot target connection c1/,
    )
  })

  it('lifts what a fault causes when it is cleared, and reports that it fired', async () => {
    const {server} = await startServer()
    const {client, record} = await open(server)
    const handle = server.inject({type: 'stall'})
    expect(await handle.whenFired()).toMatchObject({id: record.id, stalled: true})
    server.publish('news', 'e1')
    expect(handle.clear()).toBe(true)
    expect(handle.clear()).toBe(false)
    expect((await client.waitForEvents(1))[0]?.data).toBe('e1')
    expect(server.faults()).toEqual([])
  })

  it('times out waiting for a fault that never fires', async () => {
    useFakeTime()
    const {server} = await startServer()
    const handle = server.inject({type: 'drop'}, 'nobody')
    const fired = handle.whenFired({timeoutMs: 100})
    const assertion = expect(fired).rejects.toThrow(
      /Fault f1 \(drop\) did not fire \(waited 100 ms; pass a larger timeoutMs to wait longer\)/,
    )
    await vi.advanceTimersByTimeAsync(100)
    await assertion
  })
})

describe('fault validation', () => {
  it.each([
    [{type: 'stal'}, /unknown type "stal" \(expected one of stall, drop/],
    [
      {type: 'stall', duration: 5},
      /unknown field `duration` for a stall fault \(expected durationMs, times, after; did you mean durationMs\?\)/,
    ],
    [{type: 'stall', durationMs: 'soon'}, /`durationMs` of a stall fault must be an integer >= 1, got "soon"/],
    [{type: 'status'}, /a status fault needs `status`/],
    [{type: 'status', status: 99}, /`status` of a status fault must be an integer from 200 to 599/],
    [{type: 'status', status: 503, after: 2}, /`after` does not apply to a status fault/],
    [{type: 'oversized', size: 0}, /`size` of a oversized fault must be an integer from 1 to 67108864/],
    [{type: 'malformed', variant: 'weird'}, /`variant` of a malformed fault must be one of garbage/],
    [{type: 'drop', times: 0}, /`times` of a drop fault must be an integer >= 1/],
    [{type: 'status', status: 500, headers: {'Bad Name': 'x'}}, /invalid header name "Bad Name"/],
  ])('rejects %j', async (fault, message) => {
    const {server} = await startServer()
    let error: unknown
    try {
      server.inject(fault as never)
    } catch (caught) {
      error = caught
    }
    expect(TestServerError.is(error)).toBe(true)
    expect(error).toMatchObject({code: 'invalid-fault', message: expect.stringMatching(message)})
    expect(server.faults()).toEqual([])
  })
})
