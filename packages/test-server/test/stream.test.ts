import {connect as tcpConnect} from 'node:net'
import {describe, expect, it, vi} from 'vitest'
import type {TestServer} from '../src/index.js'
import {connect, startServer, useFakeTime} from './helpers.js'

/**
 * Sends a raw GET for `channel` in `version`, publishes `hi` there once the head arrived, and resolves with the head
 * and the body bytes exactly as they came over the socket, once `until` is in them.
 */
function rawExchange(server: TestServer, version: string, channel: string, until: string) {
  return new Promise<{head: string; body: string}>((resolve, reject) => {
    const request = `GET /sse/${channel} ${version}\r\nHost: x\r\n\r\n`
    const socket = tcpConnect(server.port, '127.0.0.1', () => socket.write(request))
    let text = ''
    let published = false
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      text += chunk
      const headEnd = text.indexOf('\r\n\r\n')
      if (headEnd !== -1 && !published) {
        published = true
        server.publish(channel, 'hi')
      }
      if (text.includes(until)) {
        socket.destroy()
        resolve({head: text.slice(0, headEnd), body: text.slice(headEnd + 4)})
      }
    })
    socket.on('error', reject)
  })
}

describe('a stream', () => {
  it('answers with the production headers and flushes them before any event', async () => {
    const {server} = await startServer()
    const client = connect(server.streamUrl('news'), {headers: {'Accept-Encoding': 'gzip, br'}})
    const headers = await client.headers
    expect(await client.status).toBe(200)
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8')
    expect(headers['cache-control']).toBe('no-cache, no-transform')
    expect(headers.connection).toBe('keep-alive')
    expect(headers['x-accel-buffering']).toBe('no')
    // Never compressed, even when the client offers it.
    expect(headers['content-encoding']).toBeUndefined()
    expect(headers['x-holdfast-connection']).toBe('c1')
  })

  it('starts with the retry hint, then delivers events with consecutive ids per channel', async () => {
    const {server} = await startServer({retryMs: 250})
    const client = connect(server.streamUrl('news'))
    await server.waitForConnection((c) => c.state === 'open')
    expect(server.publish('news', {data: 'one'}).id).toBe('1')
    expect(server.publish('other', 'elsewhere').id).toBe('1')
    expect(server.publish('news', {data: 'two\nlines', event: 'multi'}).id).toBe('2')
    expect(server.publish('news', {data: {json: true}}).id).toBe('3')
    const events = await client.waitForEvents(3)
    expect(client.text.startsWith('retry: 250\n\n')).toBe(true)
    expect(events).toEqual([
      {id: '1', event: 'message', data: 'one'},
      {id: '2', event: 'multi', data: 'two\nlines'},
      {id: '3', event: 'message', data: '{"json":true}'},
    ])
  })

  it('sends no retry hint when retryMs is false, and honours ?retryMs= per request', async () => {
    const {server} = await startServer({retryMs: false})
    const plain = connect(server.streamUrl('a'))
    const custom = connect(server.streamUrl('a', {retryMs: 50}))
    await server.waitForConnection((c) => c.seq === 2 && c.state === 'open')
    server.publish('a', 'x')
    await plain.waitForEvents(1)
    await custom.waitForEvents(1)
    expect(plain.text.startsWith('id: 1\n')).toBe(true)
    expect(custom.text.startsWith('retry: 50\n\n')).toBe(true)
  })

  it('frames every write as an HTTP/1.1 chunk on the wire', async () => {
    const {server} = await startServer({retryMs: 1000})
    const {head, body} = await rawExchange(server, 'HTTP/1.1', 'chunked', 'data: hi')
    expect(head).toMatch(/\r\ntransfer-encoding: chunked/i)
    expect(body).toBe('d\r\nretry: 1000\n\n\r\n10\r\nid: 1\ndata: hi\n\n\r\n')
    // An HTTP/1.0 client cannot take chunks: the same bytes, unframed.
    const plain = await rawExchange(server, 'HTTP/1.0', 'plain', 'data: hi\n\n')
    expect(plain.head).not.toMatch(/transfer-encoding/i)
    expect(plain.body).toBe('retry: 1000\n\nid: 1\ndata: hi\n\n')
  })

  it('serves the default channel at /sse', async () => {
    const {server} = await startServer()
    const client = connect(`${server.url}/sse`)
    const record = await server.waitForConnection((c) => c.state === 'open')
    expect(record.channel).toBe('default')
    server.publish('default', 'hi')
    expect(await client.waitForEvents(1)).toEqual([{id: '1', event: 'message', data: 'hi'}])
  })

  it('streams POST requests and records method, headers and body', async () => {
    const {server} = await startServer()
    const client = connect(server.streamUrl('rpc'), {
      method: 'POST',
      headers: {Authorization: 'Bearer fresh-token', 'Content-Type': 'application/json'},
      body: '{"query":"prices"}',
    })
    expect(await client.status).toBe(200)
    const record = await server.waitForConnection((c) => c.body !== undefined)
    expect(record.method).toBe('POST')
    expect(record.headers.authorization).toBe('Bearer fresh-token')
    expect(record.body).toBe('{"query":"prices"}')
  })

  it('records the body of a POST answered by a status fault, which does not wait for it', async () => {
    const {server} = await startServer()
    server.inject({type: 'status', status: 307, headers: {Location: '/sse/elsewhere'}})
    const client = connect(server.streamUrl('rpc'), {method: 'POST', body: '{"query":"prices"}'})
    expect(await client.status).toBe(307)
    const record = await server.waitForConnection((c) => c.body !== undefined)
    expect([record.status, record.state, record.body]).toEqual([307, 'closed', '{"query":"prices"}'])
  })

  it('answers HEAD with the stream headers and no body', async () => {
    const {server} = await startServer()
    const client = connect(server.streamUrl('news'), {method: 'HEAD'})
    expect((await client.headers)['content-type']).toBe('text/event-stream; charset=utf-8')
    expect(await client.ended).toBe('end')
    expect(server.connections()).toEqual([])
  })

  it('rejects an invalid channel name with a 400 naming it', async () => {
    const {server} = await startServer()
    const client = connect(`${server.url}/sse/bad%20name`)
    expect(await client.status).toBe(400)
    await client.ended
    expect(JSON.parse(client.text)).toEqual({
      error: {code: 'invalid-channel', message: expect.stringContaining('"bad name"')},
    })
  })

  it('sends a heartbeat comment every heartbeatMs', async () => {
    useFakeTime()
    const {server} = await startServer({heartbeatMs: 1000, retryMs: false})
    const client = connect(server.streamUrl('news'))
    await server.waitForConnection((c) => c.state === 'open')
    await vi.advanceTimersByTimeAsync(999)
    expect(server.connections()[0]?.heartbeatsSent).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    await client.waitForText(': heartbeat\n\n')
    await vi.advanceTimersByTimeAsync(2000)
    await client.waitFor((text) => text === ': heartbeat\n\n'.repeat(3))
    expect(server.connections()[0]?.heartbeatsSent).toBe(3)
    expect(client.events()).toEqual([])
  })

  it('sends no heartbeats when heartbeatMs is 0', async () => {
    useFakeTime()
    const {server} = await startServer({heartbeatMs: 0})
    connect(server.streamUrl('news'))
    await server.waitForConnection((c) => c.state === 'open')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(server.connections()[0]?.heartbeatsSent).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('records who closed a stream the client left, and releases its timers', async () => {
    useFakeTime()
    const {server} = await startServer({heartbeatMs: 1000})
    const client = connect(server.streamUrl('news'))
    const record = await server.waitForConnection((c) => c.state === 'open')
    expect(vi.getTimerCount()).toBe(1)
    client.close()
    const closed = await server.waitForClose(record)
    expect(closed).toMatchObject({state: 'closed', closedBy: 'client', closeReason: 'client-closed'})
    expect(closed.closedAt).toBeGreaterThanOrEqual(closed.openedAt)
    expect(vi.getTimerCount()).toBe(0)
    expect(server.channels()).toEqual([expect.objectContaining({name: 'news', openConnections: 0})])
  })
})
