import {randomBytes} from 'node:crypto'
import {readFileSync, statSync} from 'node:fs'
import {createSecureContext} from 'node:tls'
import {isIP} from 'node:net'
import {resolve} from 'node:path'
import {TestServerError} from './errors.js'
import {validChannelName} from './names.js'
import {closest} from './suggest.js'
import type {TlsMaterial} from './http-server.js'
import type {CorsOptions, Logger, ShutdownEvent, TestServerOptions, TickerOptions} from './types.js'

/** Every default in one place; the README's options table matches it. */
export const defaultOptions = Object.freeze({
  port: 0,
  host: '127.0.0.1',
  heartbeatMs: 15_000,
  retryMs: 1_000 as number | false,
  replayLimit: 1_000,
  cors: true as boolean | CorsOptions,
  maxQueuedBytes: 1024 * 1024,
  connectionHistory: 1_000,
  lastEventIdParam: 'lastEventId',
  pollTimeoutMs: 25_000,
  shutdownEvent: Object.freeze({event: 'shutdown', data: 'server shutting down'}) as ShutdownEvent | false,
  shutdownTimeoutMs: 5_000,
  keepAliveTimeoutMs: 5_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  backlog: 1_024,
  http2: false as TestServerOptions['http2'],
  metricsPrefix: 'holdfast_',
})

/** The longest a long poll may wait for events: an hour, far past any proxy's idle limit. */
export const MAX_POLL_TIMEOUT_MS = 3_600_000
/** Defaults of the `redis` option's fields (the option itself has none: without it, no fleet). */
export const redisDefaults = Object.freeze({keyPrefix: 'holdfast:', connectTimeoutMs: 3_000})

/** Defaults of a ticker. */
export const tickerDefaults = Object.freeze({channel: 'ticker', intervalMs: 1_000})

/** A static mount: requests under `prefix` are served from `root`. */
export interface StaticMount {
  prefix: string
  root: string
}

/** The `redis` option after validation. */
export interface RedisConfig {
  url: string
  /** The URL with its password replaced by `***`, for messages and logs. */
  displayUrl: string
  keyPrefix: string
  connectTimeoutMs: number
}

/** Options after validation, with every default applied. */
export interface NormalizedOptions {
  port: number
  host: string
  heartbeatMs: number
  retryMs: number | false
  replayLimit: number
  token: string | undefined
  /** True when the token was generated because the host is not loopback and none was given. */
  tokenGenerated: boolean
  cors: {origins: ReadonlySet<string> | undefined; headers: readonly string[] | undefined} | false
  static: StaticMount[]
  tickers: Array<Required<Pick<TickerOptions, 'channel' | 'intervalMs'>> & TickerOptions>
  maxQueuedBytes: number
  connectionHistory: number
  lastEventIdParam: string
  pollTimeoutMs: number
  shutdownEvent: Required<ShutdownEvent> | false
  shutdownTimeoutMs: number
  keepAliveTimeoutMs: number
  headersTimeoutMs: number
  requestTimeoutMs: number
  backlog: number
  logger: Logger
  metricsPrefix: string
  /** HTTPS with HTTP/2: on this certificate, or on one generated for localhost (`'generate'`); `false` for HTTP/1.1. */
  http2: TlsMaterial | 'generate' | false
  /** The shared engine of a fleet; `undefined`: this server alone, in memory. */
  redis: RedisConfig | undefined
}

function invalid(message: string): never {
  throw new TestServerError('invalid-option', `Invalid test server option: ${message}`)
}

/** Every option's name. (Typed: a new option must be listed here, or `createTestServer` rejects it.) */
const OPTION_NAMES: Record<keyof TestServerOptions, true> = {
  port: true,
  host: true,
  heartbeatMs: true,
  retryMs: true,
  replayLimit: true,
  token: true,
  cors: true,
  static: true,
  ticker: true,
  maxQueuedBytes: true,
  connectionHistory: true,
  lastEventIdParam: true,
  pollTimeoutMs: true,
  shutdownEvent: true,
  shutdownTimeoutMs: true,
  keepAliveTimeoutMs: true,
  headersTimeoutMs: true,
  requestTimeoutMs: true,
  backlog: true,
  http2: true,
  logger: true,
  metricsPrefix: true,
  redis: true,
}

/**
 * Rejects a name of `value` that is not among `names` (a misspelt `heartbeat`, `tiker`), naming the closest one, as
 * the CLI and the control API reject theirs: this is a test tool, where an option silently ignored is a test that
 * silently tests something else. A name whose value is `undefined` is let through, as an option left out.
 */
function knownNames(value: object, names: readonly string[], what: string): void {
  for (const [name, field] of Object.entries(value)) {
    if (field === undefined || names.includes(name)) continue
    const near = closest(name, names)
    invalid(`unknown ${what} \`${name}\` (expected ${names.join(', ')}${near ? `; did you mean ${near}?` : ''})`)
  }
}

/** A non-negative integer, or the fallback when undefined. */
export function integerOption(name: string, value: unknown, fallback: number, min = 0, max = Infinity): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    invalid(
      `\`${name}\` must be an integer from ${min}${max === Infinity ? ' up' : ` to ${max}`}, got ${String(value)}`,
    )
  return value
}

/** True for addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  return host === '::1' || host === '[::1]'
}

/** Log entries at warn and error level go to stderr; the rest are dropped. */
export const stderrLogger: Logger = (entry) => {
  if (entry.level === 'warn' || entry.level === 'error')
    process.stderr.write(`[holdfast-test-server] ${entry.message}\n`)
}

function corsOption(value: TestServerOptions['cors']): NormalizedOptions['cors'] {
  const cors = value ?? defaultOptions.cors
  if (cors === false) return false
  if (cors === true) return {origins: undefined, headers: undefined}
  if (typeof cors !== 'object' || cors === null) invalid('`cors` must be a boolean or `{origins, headers}`')
  knownNames(cors, ['origins', 'headers'], 'cors field')
  const strings = (value: unknown): boolean => Array.isArray(value) && value.every((item) => typeof item === 'string')
  if (cors.origins !== undefined && !strings(cors.origins))
    invalid('`cors.origins` must be an array of origins like `http://localhost:5173`')
  if (cors.headers !== undefined && !strings(cors.headers))
    invalid('`cors.headers` must be an array of header names like `Last-Event-ID`')
  return {origins: cors.origins && new Set(cors.origins), headers: cors.headers && [...cors.headers]}
}

function staticMounts(value: TestServerOptions['static']): StaticMount[] {
  if (value === undefined) return []
  if (typeof value !== 'object' || value === null) invalid('`static` must map URL prefixes to directories')
  const mounts = Object.entries(value).map(([prefix, dir]) => {
    if (!prefix.startsWith('/')) invalid(`static prefix \`${prefix}\` must start with "/"`)
    if (typeof dir !== 'string' || dir === '') invalid(`static directory for \`${prefix}\` must be a path`)
    const root = resolve(dir)
    let isDirectory = false
    try {
      isDirectory = statSync(root).isDirectory()
    } catch {
      // reported just below
    }
    if (!isDirectory) invalid(`static directory for \`${prefix}\` does not exist: ${root}`)
    return {prefix: prefix === '/' ? '/' : prefix.replace(/\/+$/, ''), root}
  })
  // Longest prefix first, so `/app/assets` wins over `/app` and `/`.
  return mounts.sort((a, b) => b.prefix.length - a.prefix.length)
}

/** Validates one ticker and applies its defaults. */
export function normalizeTicker(value: TickerOptions): NormalizedOptions['tickers'][number] {
  if (typeof value !== 'object' || value === null) invalid('a ticker must be an object `{channel, intervalMs}`')
  knownNames(value, ['channel', 'intervalMs', 'event', 'data'], 'ticker field')
  const channel = value.channel ?? tickerDefaults.channel
  if (!validChannelName(channel)) invalid(`ticker channel \`${String(channel)}\` is not a valid channel name`)
  const intervalMs = integerOption('ticker.intervalMs', value.intervalMs, tickerDefaults.intervalMs, 1)
  if (value.event !== undefined && (typeof value.event !== 'string' || /[\r\n]/.test(value.event)))
    invalid('`ticker.event` must be a string without line breaks')
  if (value.data !== undefined && typeof value.data !== 'function') invalid('`ticker.data` must be a function')
  return {...value, channel, intervalMs}
}

function shutdownEvent(value: TestServerOptions['shutdownEvent']): NormalizedOptions['shutdownEvent'] {
  if (value === false) return false
  const d = defaultOptions.shutdownEvent as Required<ShutdownEvent>
  if (value === undefined) return d
  if (typeof value !== 'object' || value === null) invalid('`shutdownEvent` must be `{event, data}` or false')
  knownNames(value, ['event', 'data'], 'shutdownEvent field')
  const event = value.event ?? d.event
  if (typeof event !== 'string' || /[\r\n]/.test(event)) invalid('`shutdownEvent.event` must be a one-line string')
  if (value.data !== undefined && typeof value.data !== 'string') invalid('`shutdownEvent.data` must be a string')
  return {event, data: value.data ?? d.data}
}

/** A PEM given as text (or a Buffer), or the path of a file holding one. */
function pem(name: string, value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  if (typeof value !== 'string' || value === '') invalid(`\`${name}\` must be a PEM string or the path of a PEM file`)
  if (value.includes('-----BEGIN ')) return value
  try {
    return readFileSync(resolve(value), 'utf8')
  } catch (error) {
    invalid(`\`${name}\` cannot be read from ${resolve(value)}: ${(error as Error).message}`)
  }
}

function http2Option(value: unknown): NormalizedOptions['http2'] {
  if (value === undefined || value === false) return false
  if (value === true) return 'generate'
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    invalid('`http2` must be true, false or `{cert, key}`')
  const {cert, key, ...rest} = value as Record<string, unknown>
  const unknown = Object.keys(rest)[0]
  if (unknown !== undefined) invalid(`unknown field \`http2.${unknown}\` (expected cert, key)`)
  if (cert === undefined && key === undefined) return 'generate'
  if (cert === undefined || key === undefined) invalid('`http2` needs both `cert` and `key`, or neither')
  const material = {cert: pem('http2.cert', cert), key: pem('http2.key', key)}
  try {
    createSecureContext(material)
  } catch (error) {
    invalid(`\`http2.cert\` and \`http2.key\` are not a usable pair: ${(error as Error).message}`)
  }
  return material
}

function token(value: unknown, host: string): {token: string | undefined; generated: boolean} {
  if (value !== undefined && (typeof value !== 'string' || value.length < 8))
    invalid('`token` must be a string of at least 8 characters')
  if (value !== undefined) return {token: value, generated: false}
  if (isLoopback(host)) return {token: undefined, generated: false}
  return {token: randomBytes(18).toString('base64url'), generated: true}
}

/** A URL fit for messages: the password, if any, replaced by `***`. */
export function redactUrl(url: URL): string {
  if (url.password === '') return url.href
  const shown = new URL(url.href)
  shown.password = '***'
  return shown.href
}

function redisOption(value: TestServerOptions['redis']): RedisConfig | undefined {
  if (value === undefined) return undefined
  const d = redisDefaults
  const config = typeof value === 'string' ? {url: value} : value
  if (typeof config !== 'object' || config === null)
    invalid('`redis` must be a URL like `redis://127.0.0.1:6379` or `{url, keyPrefix?, connectTimeoutMs?}`')
  const {url: text, keyPrefix = d.keyPrefix, connectTimeoutMs, ...rest} = config
  const unknown = Object.keys(rest)[0]
  if (unknown !== undefined) invalid(`unknown field \`redis.${unknown}\` (expected url, keyPrefix, connectTimeoutMs)`)
  let url: URL | undefined
  try {
    url = typeof text === 'string' ? new URL(text) : undefined
  } catch {
    url = undefined
  }
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '')
    invalid(
      `\`redis\` must be a redis:// or rediss:// URL like \`redis://127.0.0.1:6379\`, got ${typeof text === 'string' ? `"${url ? redactUrl(url) : text.replace(/\/\/[^@/]*@/, '//***@')}"` : String(text)}`,
    )
  if (typeof keyPrefix !== 'string' || /[{}\s]/.test(keyPrefix))
    invalid('`redis.keyPrefix` must be a string without braces or white space')
  return {
    url: url.href,
    displayUrl: redactUrl(url),
    keyPrefix,
    connectTimeoutMs: integerOption('redis.connectTimeoutMs', connectTimeoutMs, d.connectTimeoutMs, 1),
  }
}

/** Validates `options` and applies the defaults; throws a TestServerError `invalid-option` naming the bad option. */
export function normalizeOptions(options: TestServerOptions = {}): NormalizedOptions {
  if (typeof options !== 'object' || options === null) invalid('options must be an object')
  knownNames(options, Object.keys(OPTION_NAMES), 'option')
  const d = defaultOptions
  const host = options.host ?? d.host
  if (typeof host !== 'string' || host === '') invalid('`host` must be a non-empty string')
  const retryMs = options.retryMs ?? d.retryMs
  if (retryMs !== false) integerOption('retryMs', retryMs, 0)
  const lastEventIdParam = options.lastEventIdParam ?? d.lastEventIdParam
  if (typeof lastEventIdParam !== 'string' || lastEventIdParam === '')
    invalid('`lastEventIdParam` must be a non-empty string')
  const logger = options.logger ?? stderrLogger
  if (logger !== false && typeof logger !== 'function') invalid('`logger` must be a function or false')
  const tickers = options.ticker === undefined ? [] : Array.isArray(options.ticker) ? options.ticker : [options.ticker]
  const metricsPrefix = options.metricsPrefix ?? d.metricsPrefix
  if (typeof metricsPrefix !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$|^$/.test(metricsPrefix))
    invalid('`metricsPrefix` must be a valid Prometheus name prefix')
  const secret = token(options.token, host)
  const requestTimeoutMs = integerOption('requestTimeoutMs', options.requestTimeoutMs, d.requestTimeoutMs)
  const headersTimeoutMs = integerOption('headersTimeoutMs', options.headersTimeoutMs, d.headersTimeoutMs)
  if (requestTimeoutMs > 0 && headersTimeoutMs > requestTimeoutMs)
    invalid('`headersTimeoutMs` must not be larger than `requestTimeoutMs`')

  return {
    port: integerOption('port', options.port, d.port, 0, 65_535),
    host,
    heartbeatMs: integerOption('heartbeatMs', options.heartbeatMs, d.heartbeatMs),
    retryMs,
    replayLimit: integerOption('replayLimit', options.replayLimit, d.replayLimit),
    token: secret.token,
    tokenGenerated: secret.generated,
    cors: corsOption(options.cors),
    static: staticMounts(options.static),
    tickers: tickers.map(normalizeTicker),
    maxQueuedBytes: integerOption('maxQueuedBytes', options.maxQueuedBytes, d.maxQueuedBytes, 1),
    connectionHistory: integerOption('connectionHistory', options.connectionHistory, d.connectionHistory),
    lastEventIdParam,
    pollTimeoutMs: integerOption('pollTimeoutMs', options.pollTimeoutMs, d.pollTimeoutMs, 0, MAX_POLL_TIMEOUT_MS),
    shutdownEvent: shutdownEvent(options.shutdownEvent),
    shutdownTimeoutMs: integerOption('shutdownTimeoutMs', options.shutdownTimeoutMs, d.shutdownTimeoutMs),
    keepAliveTimeoutMs: integerOption('keepAliveTimeoutMs', options.keepAliveTimeoutMs, d.keepAliveTimeoutMs),
    headersTimeoutMs,
    requestTimeoutMs,
    backlog: integerOption('backlog', options.backlog, d.backlog, 1),
    logger: logger === false ? () => {} : logger,
    metricsPrefix,
    http2: http2Option(options.http2),
    redis: redisOption(options.redis),
  }
}
