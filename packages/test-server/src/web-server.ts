import {fileURLToPath} from 'node:url'
import type {CorsOptions, TestServerOptions} from './types.js'

/** The server options the CLI has flags for. */
export type CliServerOptions = Pick<
  TestServerOptions,
  'host' | 'heartbeatMs' | 'retryMs' | 'replayLimit' | 'token' | 'static' | 'maxQueuedBytes' | 'shutdownTimeoutMs'
> & {
  /** Tickers started with the server (`--ticker channel:ms`). */
  ticker?: ReadonlyArray<{channel: string; intervalMs?: number}>
  /** `false` sends no CORS headers; `{origins, headers}` allows only those. @defaultValue `true` */
  cors?: boolean | CorsOptions
}

/** Options of {@link sseWebServer}: the server's (as CLI flags) and Playwright's `webServer` fields. */
export interface SseWebServerOptions extends CliServerOptions {
  /** The port to listen on: Playwright waits for `/health` there. */
  port: number
  /** Reuse a server already listening on the port. @defaultValue `!process.env.CI` */
  reuseExistingServer?: boolean
  /** How long Playwright waits for the server to start, in ms. @defaultValue Playwright's (60 s) */
  timeout?: number
}

/** The `webServer` entry of a Playwright config. */
export interface SseWebServerConfig {
  command: string
  url: string
  reuseExistingServer: boolean
  gracefulShutdown: {signal: 'SIGTERM'; timeout: number}
  timeout?: number
}

/** The CLI flags that ask for `options` (the inverse of the CLI's parser). */
export function cliFlags(options: CliServerOptions & {port?: number}): string[] {
  const flags: string[] = []
  const add = (flag: string, value: string | number | undefined): void => {
    if (value !== undefined) flags.push(flag, String(value))
  }
  add('--port', options.port)
  add('--host', options.host)
  add('--heartbeat', options.heartbeatMs)
  add('--retry', options.retryMs === false ? 'off' : options.retryMs)
  add('--replay-limit', options.replayLimit)
  add('--token', options.token)
  for (const [prefix, dir] of Object.entries(options.static ?? {})) add('--static', `${prefix}=${dir}`)
  for (const ticker of options.ticker ?? [])
    add('--ticker', ticker.intervalMs === undefined ? ticker.channel : `${ticker.channel}:${ticker.intervalMs}`)
  if (options.cors === false) flags.push('--no-cors')
  else if (typeof options.cors === 'object')
    for (const [flag, values] of [
      ['--cors-origin', options.cors.origins],
      ['--cors-header', options.cors.headers],
    ] as const)
      for (const value of values ?? []) add(flag, value)
  add('--max-queued-bytes', options.maxQueuedBytes)
  add('--shutdown-timeout', options.shutdownTimeoutMs)
  return flags
}

/** Quotes one word for the shell Playwright runs `command` in (sh, or cmd.exe on Windows). */
function quote(word: string): string {
  if (process.platform === 'win32') return `"${word.replace(/"/g, '""')}"`
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

/** The package's CLI script, found from this module: no `node_modules/.bin` on the PATH needed. */
export const cliScript = fileURLToPath(new URL('../bin/holdfast-test-server.js', import.meta.url))

/**
 * A Playwright `webServer` entry that runs the test server's CLI with this Node (`process.execPath`) and the
 * package's own script, so it starts where `node_modules/.bin` is not on the PATH (IDE runners, plain `node`).
 * @example `webServer: sseWebServer({port: 8787, heartbeatMs: 1000, static: {'/app': './dist'}})`
 */
export function sseWebServer(options: SseWebServerOptions): SseWebServerConfig {
  const {reuseExistingServer, timeout, ...server} = options
  const host =
    server.host === undefined || server.host === '0.0.0.0' || server.host === '::' ? '127.0.0.1' : server.host
  const origin = host.includes(':') ? `[${host}]` : host
  return {
    command: [process.execPath, cliScript, ...cliFlags(server)].map(quote).join(' '),
    url: `http://${origin}:${server.port}/health`,
    reuseExistingServer: reuseExistingServer ?? !process.env.CI,
    gracefulShutdown: {signal: 'SIGTERM', timeout: (server.shutdownTimeoutMs ?? 5000) + 1000},
    ...(timeout === undefined ? {} : {timeout}),
  }
}
