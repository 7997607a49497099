import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {parseCliArgs} from '../src/cli-args.js'
import {cliFlags, cliScript, sseWebServer, type CliServerOptions} from '../src/web-server.js'
import {CLI_OPTIONS, listeningUrl} from './helpers.js'

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)))

describe('sseWebServer', () => {
  it('asks the CLI for exactly the options it was given', () => {
    const options: CliServerOptions & {port: number} = {
      ...CLI_OPTIONS,
      token: "it's a secret",
      static: {'/app': './dist', '/': 'a folder with spaces'},
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
    const listening = listeningUrl(child)
    const url = await listening.url
    expect((await fetch(`${url}/health`)).status).toBe(200)
    expect((await fetch(`${url}/app/package.json`)).status).toBe(200)
    // The shell dies of the signal; the server shuts down gracefully and closes the output they shared.
    const closed = new Promise<void>((resolve) => child.stdout.once('close', resolve))
    process.kill(-child.pid!, 'SIGTERM')
    await closed
    expect(listening.output()).toContain('holdfast-test-server: closed')
  })
})
