import {once} from 'node:events'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {request as httpsRequest} from 'node:https'
import {constants} from 'node:http2'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it, vi} from 'vitest'
import {createTestServer, type TestServer} from '../src/index.js'
import {localhostCertificate} from '../src/certificate.js'
import {H2Request, h2Session} from './h2-client.js'
import {startServer, useFakeTime} from './helpers.js'

const {NGHTTP2_INTERNAL_ERROR, NGHTTP2_REFUSED_STREAM, NGHTTP2_NO_ERROR} = constants

/** An HTTP/2 server with fast heartbeats off unless asked, closed after the test. */
function startH2(options: Parameters<typeof startServer>[0] = {}) {
  return startServer({http2: true, retryMs: false, heartbeatMs: 0, ...options})
}

/** A stream request on `session` for `channel` (path and query), answered once its head arrived. */
async function open(session: ReturnType<typeof h2Session>, path: string, headers: Record<string, string> = {}) {
  const request = new H2Request(session, path, headers)
  await request.headers
  return request
}

/** HTTP/1.1 over TLS (no h2 in ALPN), as an old client or a proxy would connect. */
function http1Get(server: TestServer, path: string): Promise<{version: string; status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, server.url), {ca: server.certificate?.pem, agent: false}, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (text: string) => (body += text))
      res.on('end', () => resolve({version: res.httpVersion, status: res.statusCode ?? 0, body}))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('the http2 option', () => {
  it('serves HTTPS with HTTP/2 on a certificate made for localhost, 127.0.0.1 and ::1', async () => {
    const {server} = await startH2()
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(server.protocol).toBe('h2')
    expect(server.certificate).toMatchObject({
      names: 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
      fingerprint256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
      spki256: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
    })
    // The client verifies the certificate against the address it dialled (no rejectUnauthorized: false).
    const session = h2Session(server)
    await once(session, 'connect')
    expect(session.alpnProtocol).toBe('h2')
    // One certificate per process: a second server does not make another.
    const {server: again} = await startH2()
    expect(again.certificate?.pem).toBe(server.certificate?.pem)
  })

  it('streams with the same head, retry hint, replay, live events and heartbeats, recorded as h2', async () => {
    useFakeTime()
    const {server} = await startH2({retryMs: 1000, heartbeatMs: 1000})
    for (const data of ['a', 'b']) server.publish('news', data)
    const session = h2Session(server)
    const stream = await open(session, '/sse/news', {'last-event-id': '1', authorization: 'Bearer t'})
    expect(await stream.headers).toMatchObject({
      ':status': 200,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-holdfast-replay': 'replayed',
      'x-holdfast-transport': 'stream',
    })
    expect((await stream.headers).connection).toBeUndefined() // forbidden in HTTP/2
    server.publish('news', 'c')
    await stream.waitForText('data: c\n\n')
    await vi.advanceTimersByTimeAsync(1000)
    await stream.waitForText(': heartbeat')
    expect(stream.text).toBe('retry: 1000\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n: heartbeat\n\n')
    const record = server.connection('c1')
    expect(record).toMatchObject({protocol: 'h2', transport: 'stream', lastEventId: '1', state: 'open'})
    expect(record?.headers).toMatchObject({authorization: 'Bearer t', 'last-event-id': '1'})
    expect(record?.headers.host).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(Object.keys(record?.headers ?? {}).filter((name) => name.startsWith(':'))).toEqual([])
  })

  it('multiplexes many streams on one connection, and long polls end with END_STREAM', async () => {
    const {server} = await startH2()
    const session = h2Session(server)
    const streams = await Promise.all(Array.from({length: 12}, () => open(session, '/sse/many')))
    server.publish('many', 'to all')
    for (const stream of streams) await stream.waitForText('data: to all')
    expect(server.connections('many').filter((c) => c.state === 'open')).toHaveLength(12)

    const poll = await open(session, '/sse/many?transport=poll&lastEventId=0')
    expect(await poll.ended).toEqual({kind: 'end'})
    expect(poll.events().map((e) => e.data)).toEqual(['to all'])
    expect(server.connections('many').at(-1)).toMatchObject({transport: 'poll', protocol: 'h2'})
    expect(session.closed || session.destroyed).toBe(false)
  })

  it('falls back to HTTP/1.1 for clients without h2, and serves control, health, metrics, CORS and files over both', async () => {
    const pages = fileURLToPath(new URL('./fixture', import.meta.url))
    const {server} = await startH2({static: {'/pages': pages}})
    const viaHttp1 = await http1Get(server, '/health')
    expect(viaHttp1).toMatchObject({version: '1.1', status: 200})
    const stream1 = await http1Get(server, '/sse/old?transport=poll&pollTimeoutMs=0')
    expect(stream1).toMatchObject({version: '1.1', status: 200})
    expect(server.connection('c1')).toMatchObject({protocol: 'http/1.1', closeReason: 'poll-timeout'})

    const session = h2Session(server)
    const publish = new H2Request(session, '/control/publish', {':method': 'POST', 'content-type': 'application/json'})
    publish.stream.end(JSON.stringify({channel: 'news', data: 'hi'}))
    expect((await publish.headers)[':status']).toBe(201)
    await publish.ended
    expect(JSON.parse(publish.text).event).toMatchObject({id: '1', data: 'hi'})

    const health = new H2Request(session, '/health', {origin: 'https://app.example'})
    expect(await health.headers).toMatchObject({':status': 200, 'access-control-allow-origin': 'https://app.example'})
    await health.ended
    const metrics = new H2Request(session, '/metrics')
    await metrics.ended
    expect(metrics.text).toContain('holdfast_stream_requests_total{transport="poll",protocol="http/1.1"} 1')
    const file = new H2Request(session, '/pages/playwright.config.ts')
    expect((await file.headers)[':status']).toBe(200)
    await file.ended
    expect(file.text.length).toBeGreaterThan(0)
  })
})

describe('faults over HTTP/2 take their HTTP/2 shapes', () => {
  it('over the HTTP/1.1 fallback, a reset drop still sends a TCP RST (through the TLS layer)', async () => {
    const {server} = await startH2()
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const url = new URL('/sse/a?fault=drop&reset=true', server.url)
      const req = httpsRequest(url, {ca: server.certificate?.pem, agent: false}, (res) => {
        res.on('error', resolve)
        res.resume()
      })
      req.on('error', resolve)
      req.end()
    })
    expect(error.code).toBe('ECONNRESET')
    expect(server.connection('c1')).toMatchObject({protocol: 'http/1.1', closeReason: 'fault-drop'})
  })

  it('a stall is a silent stream on a live connection: pings and other streams go on', async () => {
    useFakeTime()
    const {server} = await startH2({heartbeatMs: 1000})
    const session = h2Session(server)
    const stalled = await open(session, '/sse/a')
    const other = await open(session, '/sse/b')
    server.inject({type: 'stall'}, 'a')
    server.publish('a', 'held back')
    server.publish('b', 'flows')
    await vi.advanceTimersByTimeAsync(5_000)
    await other.waitForText('data: flows')
    await other.waitForText(': heartbeat')
    await new Promise<void>((resolve, reject) => session.ping((error) => (error ? reject(error) : resolve())))
    expect(stalled.text).toBe('')
    expect(server.connection('c1')).toMatchObject({state: 'open', stalled: true, heartbeatsSent: 0})
    server.resume('a')
    await stalled.waitForText('data: held back')
  })

  it('a drop resets the stream (RST_STREAM INTERNAL_ERROR) and leaves the connection serving the others', async () => {
    const {server} = await startH2()
    const session = h2Session(server)
    const dropped = await open(session, '/sse/a')
    const other = await open(session, '/sse/b')
    server.inject({type: 'drop'}, 'a')
    expect(await dropped.ended).toEqual({kind: 'reset', code: NGHTTP2_INTERNAL_ERROR})
    expect(server.connection('c1')).toMatchObject({closedBy: 'fault', closeReason: 'fault-drop'})
    server.publish('b', 'still here')
    await other.waitForText('data: still here')
    expect(session.destroyed).toBe(false)
  })

  it('a mid-event drop sends half the event, then RST_STREAM', async () => {
    const {server} = await startH2()
    const session = h2Session(server)
    const cut = await open(session, '/sse/a')
    server.inject({type: 'drop', midEvent: true}, 'a')
    server.publish('a', 'cut in half')
    expect(await cut.ended).toEqual({kind: 'reset', code: NGHTTP2_INTERNAL_ERROR})
    expect(cut.text).toBe('id: 1\ndata: ')
  })

  it('a drop with reset: true resets the TCP connection, and every stream on it goes', async () => {
    const {server} = await startH2()
    const session = h2Session(server)
    const first = await open(session, '/sse/a')
    const second = await open(session, '/sse/b')
    const sessionClosed = new Promise((resolve) => session.once('close', resolve))
    server.inject({type: 'drop', reset: true}, 'a')
    await sessionClosed
    expect((await first.ended).kind).toBe('reset')
    expect((await second.ended).kind).toBe('reset')
    expect((await server.waitForClose('c2')).closeReason).toBe('client-closed')
  })

  it('refuse resets the stream with REFUSED_STREAM before any response; status and end work as over HTTP/1.1', async () => {
    const {server} = await startH2()
    const session = h2Session(server)
    server.inject({type: 'refuse'}, 'a')
    const refused = new H2Request(session, '/sse/a')
    expect(await refused.ended).toEqual({kind: 'reset', code: NGHTTP2_REFUSED_STREAM})
    expect(server.connection('c1')).toMatchObject({status: undefined, closeReason: 'fault-refuse'})

    server.inject({type: 'status', status: 503, retryAfter: 2}, 'a')
    const rejected = new H2Request(session, '/sse/a')
    expect(await rejected.headers).toMatchObject({':status': 503, 'retry-after': '2'})
    expect(await rejected.ended).toEqual({kind: 'end'})

    const ended = await open(session, '/sse/a')
    server.inject({type: 'end'}, 'a')
    expect(await ended.ended).toEqual({kind: 'end'})
    expect(session.destroyed).toBe(false)
  })

  it('close() sends GOAWAY, then the shutdown event, and ends every stream', async () => {
    const {server} = await startH2()
    const session = h2Session(server)
    const stream = await open(session, '/sse/a')
    const goaway = once(session, 'goaway')
    const sessionClosed = new Promise((resolve) => session.once('close', resolve))
    const closed = server.close()
    expect((await goaway)[0]).toBe(NGHTTP2_NO_ERROR)
    expect(await stream.ended).toEqual({kind: 'end'})
    expect(stream.events()).toEqual([{id: undefined, event: 'shutdown', data: 'server shutting down'}])
    await closed
    await sessionClosed
  })

  it('close() destroys the connections still open at its deadline', async () => {
    const {server} = await startH2()
    const session = h2Session(server)
    // A POST whose body never ends: the stream stays half open on the client's side after the server ended it.
    const stream = new H2Request(session, '/sse/a', {':method': 'POST'})
    stream.stream.write('part of a body')
    await stream.headers
    const closed = new Promise((resolve) => session.once('close', resolve))
    await server.close({timeoutMs: 50})
    await closed
    expect(stream.text).toContain('event: shutdown')
  })
})

describe('the http2 certificate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-h2-'))

  it('can be given as PEM text or as PEM files', async () => {
    const {cert, key} = await localhostCertificate()
    const {server} = await startServer({http2: {cert, key}})
    expect(server.certificate?.pem).toBe(cert)
    writeFileSync(join(dir, 'cert.pem'), cert)
    writeFileSync(join(dir, 'key.pem'), key)
    const {server: fromFiles} = await startServer({
      http2: {cert: join(dir, 'cert.pem'), key: Buffer.from(key)},
    })
    const session = h2Session(fromFiles)
    await once(session, 'connect')
    expect(session.alpnProtocol).toBe('h2')
  })

  it.each([
    [{cert: 'x'}, '`http2` needs both `cert` and `key`, or neither'],
    [{cert: '/no/such/cert.pem', key: '/no/such/key.pem'}, '`http2.cert` cannot be read from /no/such/cert.pem'],
    [{port: 1}, 'unknown field `http2.port` (expected cert, key)'],
    ['yes', '`http2` must be true, false or `{cert, key}`'],
  ])('rejects %j with a clear invalid-option error', async (http2, message) => {
    await expect(createTestServer({http2: http2 as never, logger: false})).rejects.toMatchObject({
      code: 'invalid-option',
      message: expect.stringContaining(message),
    })
  })

  it('rejects a key that does not belong to the certificate', async () => {
    const {cert} = await localhostCertificate()
    const {generateKeyPairSync} = await import('node:crypto')
    const other = generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey.export({type: 'pkcs8', format: 'pem'})
    await expect(createTestServer({http2: {cert, key: String(other)}, logger: false})).rejects.toMatchObject({
      code: 'invalid-option',
      message: expect.stringContaining('are not a usable pair'),
    })
  })
})
