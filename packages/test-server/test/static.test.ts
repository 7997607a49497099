import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {call, startServer} from './helpers.js'

let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'holdfast-static-'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>demo</title>')
  writeFileSync(join(dir, 'client.js'), 'export const ok = true\n')
  writeFileSync(join(dir, 'client.js.map'), '{}')
  writeFileSync(join(dir, 'style.css'), 'body{}')
  writeFileSync(join(dir, 'blob.bin'), Buffer.from([1, 2, 3]))
  mkdirSync(join(dir, 'nested'))
  writeFileSync(join(dir, 'nested', 'index.html'), 'nested')
})

describe('static files', () => {
  it.each([
    ['/app/', 'text/html; charset=utf-8', '<!doctype html><title>demo</title>'],
    ['/app', 'text/html; charset=utf-8', '<!doctype html><title>demo</title>'],
    ['/app/client.js', 'text/javascript; charset=utf-8', 'export const ok = true\n'],
    ['/app/client.js.map', 'application/json; charset=utf-8', '{}'],
    ['/app/style.css', 'text/css; charset=utf-8', 'body{}'],
    ['/app/blob.bin', 'application/octet-stream', '\u0001\u0002\u0003'],
    ['/app/nested', 'text/html; charset=utf-8', 'nested'],
  ])('serve %s as %s', async (path, type, body) => {
    const {server} = await startServer({static: {'/app': dir}})
    const response = await fetch(`${server.url}${path}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe(type)
    expect(await response.text()).toBe(body)
  })

  it('answer HEAD with the headers only', async () => {
    const {server} = await startServer({static: {'/app': dir}})
    const response = await fetch(`${server.url}/app/client.js`, {method: 'HEAD'})
    expect(response.headers.get('content-length')).toBe('23')
    expect(await response.text()).toBe('')
  })

  it.each(['/app/missing.js', '/app/%2e%2e/%2e%2e/etc/passwd', '/app/..%2f..%2fetc%2fpasswd', '/application'])(
    'answer 404 for %s, never leaving the directory',
    async (path) => {
      const {server} = await startServer({static: {'/app': dir}})
      const answer = await call(server, 'GET', path)
      expect(answer.status).toBe(404)
      expect(answer.body.error.code).toBe('not-found')
    },
  )

  it('never shadow the built-in routes, even mounted at /', async () => {
    const {server} = await startServer({static: {'/': dir}})
    expect(await (await fetch(`${server.url}/client.js`)).text()).toBe('export const ok = true\n')
    expect((await call(server, 'GET', '/health')).body.status).toBe('ok')
    expect((await call(server, 'GET', '/control/faults')).body).toEqual({faults: []})
  })

  it('serve a Vite build with its default base: "/" mounted at /, its /assets/… included (not under a prefix)', async () => {
    const vite = mkdtempSync(join(tmpdir(), 'holdfast-vite-'))
    mkdirSync(join(vite, 'assets'))
    writeFileSync(join(vite, 'index.html'), '<script type="module" src="/assets/index-a1b2.js"></script>')
    writeFileSync(join(vite, 'assets', 'index-a1b2.js'), 'console.log(1)\n')
    const {server} = await startServer({static: {'/': vite}})
    const page = await fetch(`${server.url}/?stream=/sse/news`)
    expect(await page.text()).toContain('/assets/index-a1b2.js')
    const script = await fetch(new URL('/assets/index-a1b2.js', page.url))
    expect(script.status).toBe(200)
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect((await call(server, 'GET', '/health')).body.status).toBe('ok')

    const {server: prefixed} = await startServer({static: {'/app': vite}})
    const under = await fetch(`${prefixed.url}/app/`)
    expect(under.status).toBe(200)
    expect((await fetch(new URL('/assets/index-a1b2.js', under.url))).status).toBe(404)
  })

  it('send CORS headers, so pages on another origin can load them', async () => {
    const {server} = await startServer({static: {'/app': dir}})
    const response = await fetch(`${server.url}/app/client.js`, {headers: {Origin: 'http://localhost:5173'}})
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173')
  })
})
