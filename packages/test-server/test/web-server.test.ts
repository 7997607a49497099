import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {parseCliArgs} from '../src/cli-args.js'
import {cliFlags, cliScript, sseWebServer, type CliServerOptions} from '../src/web-server.js'

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)))

describe('sseWebServer', () => {
  it('asks the CLI for exactly the options it was given', () => {
    const options: CliServerOptions & {port: number} = {
      port: 8787,
      host: '127.0.0.1',
      heartbeatMs: 1000,
      retryMs: false,
      replayLimit: 50,
      token: "it's a secret",
      static: {'/app': './dist', '/': 'public dir'},
      ticker: [{channel: 'clock', intervalMs: 250}, {channel: 'news'}],
      cors: {origins: ['http://localhost:5173']},
      maxQueuedBytes: 4096,
      shutdownTimeoutMs: 100,
    }
    expect(parseCliArgs(cliFlags(options)).options).toEqual(options)
    expect(parseCliArgs(cliFlags({cors: false})).options).toEqual({cors: false})
  })

  it("gives Playwright the health URL, a graceful shutdown and CI's reuse default", () => {
    const config = sseWebServer({port: 8787, shutdownTimeoutMs: 2000, timeout: 10_000, reuseExistingServer: false})
    expect(config).toMatchObject({
      url: 'http://127.0.0.1:8787/health',
      reuseExistingServer: false,
      gracefulShutdown: {signal: 'SIGTERM', timeout: 3000},
      timeout: 10_000,
    })
    expect(sseWebServer({port: 1, host: '::1'}).url).toBe('http://[::1]:1/health')
  })

  it('starts the server with a PATH that has no node_modules/.bin, as IDE runners do', async () => {
    expect(existsSync(join(packageDir, 'dist', 'cli.js')), 'dist/cli.js is missing: run the build first').toBe(true)
    expect(cliScript).toBe(join(packageDir, 'bin', 'holdfast-test-server.js'))
    const {command} = sseWebServer({port: 0, heartbeatMs: 0, static: {'/app': packageDir}})
    // Like Playwright: through a shell, in a process group of its own, stopped with SIGTERM to the group.
    const child = spawn(command, {shell: '/bin/sh', detached: true, env: {PATH: '/usr/bin:/bin'}})
    let stdout = ''
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk
        const match = /listening on (http:\/\/\S+)/.exec(stdout)
        if (match?.[1]) resolve(match[1])
      })
      child.once('exit', (code) => reject(new Error(`exited with ${code} before listening: ${stdout}`)))
    })
    expect((await fetch(`${url}/health`)).status).toBe(200)
    expect((await fetch(`${url}/app/package.json`)).status).toBe(200)
    // The shell dies of the signal; the server shuts down gracefully and closes the output they shared.
    const closed = new Promise<void>((resolve) => child.stdout.once('close', resolve))
    process.kill(-child.pid!, 'SIGTERM')
    await closed
    expect(stdout).toContain('holdfast-test-server: closed')
  })
})
