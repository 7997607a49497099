import {describe, expect, it} from 'vitest'
import {isLoopback, normalizeOptions} from '../src/options.js'
import {call, connect, startServer} from './helpers.js'

const TOKEN = 'correct-horse-battery'

describe('the control token', () => {
  it('is not needed on a loopback address by default', async () => {
    const {server} = await startServer()
    expect(server.token).toBeUndefined()
    expect((await call(server, 'GET', '/control/faults')).status).toBe(200)
  })

  it('is required by the control API once set, as X-Holdfast-Token, a Bearer header or ?token=', async () => {
    const {server} = await startServer({token: TOKEN})
    const missing = await call(server, 'GET', '/control/faults')
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toBe('Bearer')
    expect(missing.body.error).toEqual({code: 'unauthorized', message: expect.stringMatching(/requires a token/)})
    const wrong = await call(server, 'GET', '/control/faults', undefined, {Authorization: 'Bearer nope-nope-nope'})
    expect(wrong.body.error.message).toBe('The token is not valid')
    expect((await call(server, 'GET', '/control/faults', undefined, {'X-Holdfast-Token': TOKEN})).status).toBe(200)
    expect((await call(server, 'GET', '/control/faults', undefined, {Authorization: `Bearer ${TOKEN}`})).status).toBe(
      200,
    )
    expect((await call(server, 'GET', `/control/faults?token=${TOKEN}`)).status).toBe(200)
    expect(server.faults()).toEqual([])
  })

  it('guards query faults but not plain streams, and ignores the app’s own Authorization header', async () => {
    const {server} = await startServer({token: TOKEN})
    expect(await connect(server.streamUrl('news')).status).toBe(200)
    const withAppAuth = connect(server.streamUrl('news', {fault: 'status', status: 500}), {
      headers: {Authorization: `Bearer ${TOKEN}`},
    })
    expect(await withAppAuth.status).toBe(401)
    expect(await connect(server.streamUrl('news', {fault: 'status', status: 500, token: TOKEN})).status).toBe(500)
    const withHeader = connect(server.streamUrl('news', {fault: 'status', status: 502}), {
      headers: {'X-Holdfast-Token': TOKEN},
    })
    expect(await withHeader.status).toBe(502)
  })

  it('is generated when the host is not a loopback address and none is given', () => {
    const open = normalizeOptions({host: '0.0.0.0'})
    expect(open.token).toMatch(/^[\w-]{24}$/)
    expect(open.tokenGenerated).toBe(true)
    expect(normalizeOptions({host: '0.0.0.0'}).token).not.toBe(open.token)
    expect(normalizeOptions({host: '0.0.0.0', token: TOKEN})).toMatchObject({token: TOKEN, tokenGenerated: false})
    expect(normalizeOptions({host: 'localhost'}).token).toBeUndefined()
  })

  it.each([
    ['127.0.0.1', true],
    ['127.4.5.6', true],
    ['localhost', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['example.test', false],
  ])('counts %s as loopback: %s', (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback)
  })
})

describe('CORS', () => {
  it('reflects the Origin, allows credentials and exposes Retry-After on streams', async () => {
    const {server} = await startServer()
    const client = connect(server.streamUrl('news'), {headers: {Origin: 'http://localhost:5173'}})
    const headers = await client.headers
    expect(headers['access-control-allow-origin']).toBe('http://localhost:5173')
    expect(headers['access-control-allow-credentials']).toBe('true')
    expect(headers['access-control-expose-headers']).toContain('Retry-After')
    expect(headers.vary).toBe('Origin')
  })

  it('answers preflights with the methods and headers a client sends', async () => {
    const {server} = await startServer()
    const preflight = await fetch(server.streamUrl('news'), {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:5173',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'last-event-id, authorization, x-custom',
        'Access-Control-Request-Private-Network': 'true',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST')
    const allowed = preflight.headers.get('access-control-allow-headers') ?? ''
    for (const name of ['Last-Event-ID', 'Authorization', 'Content-Type', 'x-custom']) expect(allowed).toContain(name)
    expect(preflight.headers.get('access-control-allow-private-network')).toBe('true')
    expect(server.connections()).toEqual([])
  })

  it('allows only the listed request headers when `cors.headers` is given', async () => {
    const {server} = await startServer({cors: {headers: ['Last-Event-ID']}})
    const preflight = await fetch(server.streamUrl('news'), {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:5173',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'last-event-id, x-api-key',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-headers')).toBe('Last-Event-ID')
  })

  it('limits origins when a list is given, and sends nothing with cors: false', async () => {
    const {server: listed} = await startServer({cors: {origins: ['http://allowed.test']}})
    const allowed = await connect(listed.streamUrl('a'), {headers: {Origin: 'http://allowed.test'}}).headers
    expect(allowed['access-control-allow-origin']).toBe('http://allowed.test')
    const other = await connect(listed.streamUrl('a'), {headers: {Origin: 'http://evil.test'}}).headers
    expect(other['access-control-allow-origin']).toBeUndefined()
    const {server: off} = await startServer({cors: false})
    const none = await connect(off.streamUrl('a'), {headers: {Origin: 'http://allowed.test'}}).headers
    expect(none['access-control-allow-origin']).toBeUndefined()
  })
})
