import {spawn} from 'node:child_process'
import {EventEmitter} from 'node:events'
import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {parseCliArgs} from '../src/cli-args.js'
import {runCli, type CliIo} from '../src/cli-main.js'
import type {TestServer} from '../src/index.js'
import {freePort} from '../../../scripts/free-port.mjs'
import {CLI_OPTIONS, connect, listeningUrl} from './helpers.js'

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)))

/** An in-memory io: collected output, signals sent by the test. */
function fakeIo(env: Record<string, string> = {}) {
  const signals = new EventEmitter()
  const out: string[] = []
  const err: string[] = []
  let started!: (server: TestServer) => void
  const server = new Promise<TestServer>((resolve) => (started = resolve))
  const io: CliIo = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env,
    onSignal(listener) {
      signals.on('signal', listener)
      return () => signals.off('signal', listener)
    },
    started: (s) => started(s),
  }
  return {io, out, err, server, signal: (name: 'SIGTERM' | 'SIGINT') => signals.emit('signal', name), signals}
}

describe('command-line arguments', () => {
  it('map to server options', () => {
    const args = parseCliArgs(
      [
        '--port=8787',
        '--host',
        '127.0.0.1',
        '--heartbeat',
        '500',
        '--retry',
        'off',
        '--replay-limit',
        '50',
        '--poll-timeout',
        '2000',
        '--static',
        '/app=./dist',
        '--static',
        '/=public',
        '--ticker',
        'clock:250',
        '--ticker',
        'news',
        '--cors-origin',
        'http://localhost:5173',
        '--cors-header',
        'Last-Event-ID',
        '--cors-header',
        'X-Api-Key',
        '--max-queued-bytes',
        '4096',
        '--shutdown-timeout',
        '100',
        '-v',
      ],
      {HOLDFAST_TOKEN: 'from-the-environment'},
    )
    expect(args).toEqual({
      help: false,
      version: false,
      verbosity: 2,
      options: {...CLI_OPTIONS, pollTimeoutMs: 2000, token: 'from-the-environment'},
    })
    expect(parseCliArgs(['--no-cors', '-q']).options).toEqual({cors: false})
    expect(parseCliArgs(['--redis', 'redis://127.0.0.1:6390']).options).toEqual({redis: 'redis://127.0.0.1:6390'})
    expect(parseCliArgs(['--redis-prefix', 'ci:'], {HOLDFAST_REDIS_URL: 'redis://:pw@10.0.0.2'}).options).toEqual({
      redis: {url: 'redis://:pw@10.0.0.2', keyPrefix: 'ci:'},
    })
    expect(parseCliArgs(['-q']).verbosity).toBe(0)
  })

  it.each([
    [['--port', 'abc'], /--port must be a whole number, got "abc"/],
    [['--port', '70000'], /--port` must be an integer from 0 to 65535/],
    [['--static', 'dist'], /--static must look like \/prefix=directory, got "dist"/],
    [['--ticker', 'a:b:c'], /--ticker must look like channel or channel:ms/],
    [['--redis-prefix', 'x:'], /--redis-prefix needs --redis \(or HOLDFAST_REDIS_URL\)/],
    [['--colour'], /Unknown option '--colour'/],
    [['--http2', '--cert', 'c.pem'], /--http2 needs both --cert and --key, or neither/],
    [['--cert', 'c.pem', '--key', 'k.pem'], /--cert and --key need --http2/],
    [['extra'], /Unexpected argument 'extra'/],
  ])('reject %j naming the flag', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(message)
  })
})

describe('the CLI', () => {
  it('exits 1 naming the Redis URL, its password hidden, when Redis is unreachable at start', async () => {
    const port = await freePort() // nothing listens there
    const cli = fakeIo({HOLDFAST_REDIS_URL: `redis://:hunter22@127.0.0.1:${port}`})
    expect(await runCli([], cli.io)).toBe(1)
    expect(cli.err).toEqual([
      expect.stringMatching(
        new RegExp(
          `^holdfast-test-server: Cannot connect to Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`,
        ),
      ),
    ])
    expect(cli.out).toEqual([])
  })

  it('prints its URL, serves /health, and shuts down gracefully on SIGTERM', async () => {
    const cli = fakeIo()
    const exit = runCli(['--port', '0', '--retry', 'off'], cli.io)
    const server = await cli.server
    expect(cli.out[0]).toBe(`holdfast-test-server listening on ${server.url}`)
    expect(await (await fetch(`${server.url}/health`)).json()).toMatchObject({status: 'ok'})
    const stream = connect(server.streamUrl('news'))
    await server.waitForConnection((c) => c.state === 'open')
    cli.signal('SIGTERM')
    expect(await exit).toBe(0)
    expect(await stream.ended).toBe('end')
    expect(stream.events().map((e) => e.event)).toEqual(['shutdown'])
    expect(cli.out.slice(1)).toEqual([
      'holdfast-test-server: SIGTERM received, shutting down',
      'holdfast-test-server: closed',
    ])
    expect(cli.signals.listenerCount('signal')).toBe(0)
  })

  it('serves HTTP/2 with --http2 and prints what a client needs to trust the certificate', async () => {
    const cli = fakeIo()
    const exit = runCli(['--http2', '-q'], cli.io)
    const server = await cli.server
    expect(server.url).toMatch(/^https:/)
    expect(cli.out).toEqual([
      `holdfast-test-server listening on ${server.url}`,
      'HTTP/2 and HTTP/1.1 over TLS; certificate (self-signed, made at start) for ' +
        'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
      `  SHA-256 fingerprint ${server.certificate?.fingerprint256}`,
      `  SPKI SHA-256 ${server.certificate?.spki256} (Chromium: --ignore-certificate-errors-spki-list=<this>)`,
    ])
    expect(parseCliArgs(['--http2', '--cert', 'c.pem', '--key', 'k.pem']).options.http2).toEqual({
      cert: 'c.pem',
      key: 'k.pem',
    })
    cli.signal('SIGTERM')
    expect(await exit).toBe(0)
  })

  it('prints help and the version', async () => {
    const help = fakeIo()
    expect(await runCli(['--help'], help.io)).toBe(0)
    expect(help.out[0]).toMatch(/^Usage: holdfast-test-server \[options\]/)
    const version = fakeIo()
    expect(await runCli(['--version'], version.io)).toBe(0)
    expect(version.out[0]).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('exits with 2 and a message on a bad flag or option', async () => {
    const badFlag = fakeIo()
    expect(await runCli(['--heartbeat', 'often'], badFlag.io)).toBe(2)
    expect(badFlag.err[0]).toMatch(/--heartbeat must be a whole number, got "often"\nRun with --help/)
    const badDir = fakeIo()
    expect(await runCli(['--static', '/app=/does/not/exist', '-q'], badDir.io)).toBe(2)
    expect(badDir.err[0]).toMatch(/static directory for `\/app` does not exist/)
  })

  it('prints warnings to stderr, and every connection with --verbose', async () => {
    const cli = fakeIo()
    const exit = runCli(['-v'], cli.io)
    const server = await cli.server
    const stream = connect(server.streamUrl('news'))
    await server.waitForConnection((c) => c.state === 'open')
    stream.close()
    await server.waitForClose('c1')
    cli.signal('SIGINT')
    expect(await exit).toBe(0)
    expect(cli.err).toEqual([
      "[holdfast-test-server] info: c1 opened on 'news'",
      "[holdfast-test-server] info: c1 on 'news' closed by client: client-closed",
    ])
  })

  it('runs as a real process from the committed bin shim: URL on stdout, clean exit on SIGTERM', async () => {
    const cli = join(packageDir, 'bin', 'holdfast-test-server.js')
    expect(existsSync(join(packageDir, 'dist', 'cli.js')), 'dist/cli.js is missing: run the build first').toBe(true)
    const child = spawn(process.execPath, [cli, '--port', '0', '--heartbeat', '0'], {stdio: ['ignore', 'pipe', 'pipe']})
    const listening = listeningUrl(child)
    const url = await listening.url
    const stream = connect(`${url}/sse/news`)
    await stream.response
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(await stream.ended).toBe('end')
    expect(stream.events().map((e) => e.event)).toEqual(['shutdown'])
    expect(listening.output()).toContain('holdfast-test-server: closed')
  })
})
