import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {createTestServer, defaultOptions, TestServerError} from '../src/index.js'
import {normalizeOptions} from '../src/options.js'
import {startServer} from './helpers.js'

describe('options', () => {
  it('default to loopback, a free port and the documented values', async () => {
    const {server} = await startServer()
    expect(server.host).toBe('127.0.0.1')
    expect(server.port).toBeGreaterThan(0)
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
    expect(server.streamUrl('a b', {x: 1})).toBe(`${server.url}/sse/a%20b?x=1`)
    expect(defaultOptions).toMatchObject({heartbeatMs: 15_000, retryMs: 1_000, replayLimit: 1_000, cors: true})
  })

  it.each([
    [{port: -1}, /`port` must be an integer from 0 to 65535, got -1/],
    [{port: 1.5}, /`port` must be an integer/],
    [{heartbeatMs: '15s'}, /`heartbeatMs` must be an integer from 0 up, got 15s/],
    [{retryMs: -1}, /`retryMs`/],
    [{host: ''}, /`host` must be a non-empty string/],
    [{token: 'short'}, /`token` must be a string of at least 8 characters/],
    [{cors: 'yes'}, /`cors` must be a boolean or `{origins, headers}`/],
    [{cors: {headers: 'x-api-key'}}, /`cors.headers` must be an array of header names/],
    [{static: {app: '.'}}, /static prefix `app` must start with "\/"/],
    [{static: {'/app': '/does/not/exist'}}, /static directory for `\/app` does not exist/],
    [{ticker: {channel: 'bad name'}}, /ticker channel `bad name` is not a valid channel name/],
    [{ticker: {intervalMs: 0}}, /`ticker.intervalMs` must be an integer from 1 up/],
    [{headersTimeoutMs: 60_000, requestTimeoutMs: 30_000}, /`headersTimeoutMs` must not be larger/],
    [{logger: 'console'}, /`logger` must be a function or false/],
    [{metricsPrefix: 'bad-prefix'}, /`metricsPrefix` must be a valid Prometheus name prefix/],
    [{shutdownEvent: {event: 'two\nlines'}}, /`shutdownEvent.event` must be a one-line string/],
    // [ext] Misspelt names, as the CLI and the control API reject theirs.
    [
      {heartbeat: 1000},
      /unknown option `heartbeat` \(expected port, host, heartbeatMs, .*; did you mean heartbeatMs\?\)$/,
    ],
    [{tiker: {channel: 'x'}}, /unknown option `tiker` \(expected .*; did you mean ticker\?\)$/],
    [{colour: 'red'}, /unknown option `colour` \(expected port, host, heartbeatMs, retryMs, .*, redis\)$/],
    [
      {ticker: {chanel: 'x'}},
      /unknown ticker field `chanel` \(expected channel, intervalMs, event, data; did you mean channel\?\)/,
    ],
    [
      {cors: {origin: ['http://a']}},
      /unknown cors field `origin` \(expected origins, headers; did you mean origins\?\)/,
    ],
    [{shutdownEvent: {name: 'bye'}}, /unknown shutdownEvent field `name` \(expected event, data\)/],
  ])('reject %j with invalid-option', async (options, message) => {
    await expect(createTestServer(options as never)).rejects.toThrow(message)
    await expect(createTestServer(options as never)).rejects.toSatisfy(
      (error) => TestServerError.is(error) && error.code === 'invalid-option',
    )
  })

  it('[ext] let a name through when its value is undefined, as if it were left out', () => {
    const options = {heartbeatMs: 5, extra: undefined} as Parameters<typeof normalizeOptions>[0]
    expect(normalizeOptions(options).heartbeatMs).toBe(5)
  })

  it('sort static mounts longest prefix first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'holdfast-static-'))
    expect(
      normalizeOptions({static: {'/': dir, '/app/assets/': dir, '/app': dir}}).static.map((m) => m.prefix),
    ).toEqual(['/app/assets', '/app', '/'])
  })

  it('fail with listen-failed when the port is taken', async () => {
    const {server} = await startServer()
    await expect(createTestServer({port: server.port, logger: false})).rejects.toMatchObject({
      code: 'listen-failed',
      message: expect.stringMatching(/EADDRINUSE/),
    })
  })
})
