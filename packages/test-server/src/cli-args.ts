import {parseArgs} from 'node:util'
import {TestServerError} from './errors.js'
import {integerOption} from './options.js'
import type {TestServerOptions, TickerOptions} from './types.js'

/** What the command line asks for. */
export interface CliArgs {
  options: TestServerOptions
  help: boolean
  version: boolean
  /** 0: errors only, 1: warnings (default), 2: every connection. */
  verbosity: 0 | 1 | 2
}

export const USAGE = `Usage: holdfast-test-server [options]

A fault-injecting Server-Sent Events server. Streams at /sse/:channel, control API at /control,
health at /health, Prometheus metrics at /metrics.

Options:
  -p, --port <n>              port to listen on, 0 for any free one (default 0)
      --host <address>        address to bind (default 127.0.0.1); any other needs a control token
      --heartbeat <ms>        heartbeat comment interval, 0 disables (default 15000)
      --retry <ms|off>        the retry: hint sent when a stream opens (default 1000)
      --replay-limit <n>      events kept per channel for Last-Event-ID replay (default 1000)
      --poll-timeout <ms>     how long a long poll (?transport=poll) waits for events (default 25000)
      --token <secret>        control API token (or HOLDFAST_TOKEN); generated when --host is not loopback
      --static <prefix=dir>   serve a directory as static files under a URL prefix (repeatable)
      --ticker <channel[:ms]> publish a tick every ms (default 1000) on a channel (repeatable)
      --cors-origin <origin>  allow only these origins (repeatable; default: reflect any origin)
      --cors-header <name>    allow only these request headers in preflights (repeatable; default: those asked)
      --no-cors               send no CORS headers
      --http2                 serve HTTPS with HTTP/2 and HTTP/1.1, on a certificate made for localhost
      --cert <file>           with --http2: the certificate (PEM) to serve instead; needs --key
      --key <file>            with --http2: its private key (PEM)
      --max-queued-bytes <n>  bytes queued for a slow reader before it is disconnected (default 1048576)
      --shutdown-timeout <ms> how long shutdown waits for clients before destroying sockets (default 5000)
      --redis <url>           run as one server of a fleet sharing channels through this Redis
                              (or HOLDFAST_REDIS_URL), like redis://127.0.0.1:6379
      --redis-prefix <prefix> prefix of the fleet's Redis keys (default holdfast:)
  -q, --quiet                 print errors only
  -v, --verbose               also print every connection
  -h, --help                  print this help
      --version               print the version

Prints "holdfast-test-server listening on <url>" once ready; SIGTERM or SIGINT shuts it down gracefully.`

function invalid(message: string): never {
  throw new TestServerError('invalid-option', message)
}

function integerFlag(flag: string, value: string | undefined, min = 0, max = Infinity): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) invalid(`--${flag} must be a whole number, got "${value}"`)
  return integerOption(`--${flag}`, Number(value), 0, min, max)
}

function staticFlag(values: string[] | undefined): Record<string, string> | undefined {
  if (!values) return undefined
  const mounts: Record<string, string> = {}
  for (const value of values) {
    const at = value.indexOf('=')
    if (at <= 0) invalid(`--static must look like /prefix=directory, got "${value}"`)
    mounts[value.slice(0, at)] = value.slice(at + 1)
  }
  return mounts
}

function tickerFlag(values: string[] | undefined): TickerOptions[] | undefined {
  return values?.map((value) => {
    const [channel, interval, ...rest] = value.split(':')
    if (!channel || rest.length > 0) invalid(`--ticker must look like channel or channel:ms, got "${value}"`)
    const intervalMs = integerFlag('ticker', interval, 1)
    return intervalMs === undefined ? {channel} : {channel, intervalMs}
  })
}

function http2Flag(http2: boolean, cert: string | undefined, key: string | undefined): TestServerOptions['http2'] {
  if (!http2) {
    if (cert !== undefined || key !== undefined) invalid('--cert and --key need --http2')
    return undefined
  }
  if ((cert === undefined) !== (key === undefined)) invalid('--http2 needs both --cert and --key, or neither')
  return cert !== undefined && key !== undefined ? {cert, key} : true
}

function corsFlag(off: boolean, origins?: string[], headers?: string[]): TestServerOptions['cors'] {
  if (off) return false
  if (!origins && !headers) return undefined
  return {...(origins && {origins}), ...(headers && {headers})}
}

function redisFlag(url: string | undefined, keyPrefix: string | undefined): TestServerOptions['redis'] {
  if (url === undefined || url === '') {
    if (keyPrefix !== undefined) invalid('--redis-prefix needs --redis (or HOLDFAST_REDIS_URL)')
    return undefined
  }
  return keyPrefix === undefined ? url : {url, keyPrefix}
}

/** Parses the command line; throws `invalid-option` naming the bad flag. */
export function parseCliArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): CliArgs {
  let values: ReturnType<typeof parse>['values']
  try {
    values = parse(argv).values
  } catch (error) {
    invalid((error as Error).message)
  }
  const retry = values.retry
  const options: TestServerOptions = {
    port: integerFlag('port', values.port, 0, 65_535),
    host: values.host,
    heartbeatMs: integerFlag('heartbeat', values.heartbeat),
    retryMs: retry === 'off' ? false : integerFlag('retry', retry),
    replayLimit: integerFlag('replay-limit', values['replay-limit']),
    pollTimeoutMs: integerFlag('poll-timeout', values['poll-timeout']),
    token: values.token ?? env.HOLDFAST_TOKEN,
    static: staticFlag(values.static),
    ticker: tickerFlag(values.ticker),
    cors: corsFlag(values['no-cors'] === true, values['cors-origin'], values['cors-header']),
    http2: http2Flag(values.http2 === true, values.cert, values.key),
    maxQueuedBytes: integerFlag('max-queued-bytes', values['max-queued-bytes'], 1),
    shutdownTimeoutMs: integerFlag('shutdown-timeout', values['shutdown-timeout']),
    redis: redisFlag(values.redis ?? env.HOLDFAST_REDIS_URL, values['redis-prefix']),
  }
  for (const key of Object.keys(options) as Array<keyof TestServerOptions>) {
    if (options[key] === undefined) delete options[key]
  }
  return {
    options,
    help: values.help === true,
    version: values.version === true,
    verbosity: values.quiet ? 0 : values.verbose ? 2 : 1,
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: {type: 'string', short: 'p'},
      host: {type: 'string'},
      heartbeat: {type: 'string'},
      retry: {type: 'string'},
      'replay-limit': {type: 'string'},
      'poll-timeout': {type: 'string'},
      token: {type: 'string'},
      static: {type: 'string', multiple: true},
      ticker: {type: 'string', multiple: true},
      'cors-origin': {type: 'string', multiple: true},
      'cors-header': {type: 'string', multiple: true},
      'no-cors': {type: 'boolean'},
      http2: {type: 'boolean'},
      cert: {type: 'string'},
      key: {type: 'string'},
      'max-queued-bytes': {type: 'string'},
      'shutdown-timeout': {type: 'string'},
      redis: {type: 'string'},
      'redis-prefix': {type: 'string'},
      quiet: {type: 'boolean', short: 'q'},
      verbose: {type: 'boolean', short: 'v'},
      help: {type: 'boolean', short: 'h'},
      version: {type: 'boolean'},
    },
  })
}
