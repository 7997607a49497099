import {TestServerError} from '../errors.js'
import type {RedisConfig} from '../options.js'

/** The part of node-redis the engine uses (`@redis/client`, an optional peer dependency loaded only for a fleet). */
export interface RedisConnection {
  readonly isReady: boolean
  connect(): Promise<unknown>
  duplicate(): RedisConnection
  sendCommand(args: string[]): Promise<unknown>
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>
  unsubscribe(channel: string): Promise<unknown>
  on(event: 'error' | 'ready' | 'reconnecting' | 'end', listener: (error?: Error) => void): unknown
  destroy(): void
}

/** The package the fleet needs, named in the error a server without it gets. */
export const REDIS_PACKAGE = '@redis/client'

/** Reconnection delays once running: 50 ms doubling up to 1 s, for as long as it takes. */
function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** retries, 1000)
}

export function messageOf(error: unknown): string {
  const inner = (error as {originalError?: unknown})?.originalError ?? error
  const text = inner instanceof Error ? inner.message : String(inner)
  // Node's AggregateError (IPv4 and IPv6 both refused) has an empty message; its parts say it.
  if (text === '' && inner instanceof AggregateError)
    return inner.errors.map((part: unknown) => (part as Error).message).join('; ')
  return text || 'unknown error'
}

function isMissing(error: unknown): boolean {
  const code = (error as {code?: unknown})?.code
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String(error).includes(REDIS_PACKAGE)
}

/** Imports node-redis's `createClient`, or fails with `missing-dependency` naming the package to install. */
async function loadCreateClient(): Promise<(options: object) => unknown> {
  try {
    const {createClient} = await import('@redis/client')
    return createClient as (options: object) => unknown
  } catch (error) {
    if (!isMissing(error)) throw error
    throw new TestServerError(
      'missing-dependency',
      `The \`redis\` option needs the package ${REDIS_PACKAGE}, which is not installed: ` +
        `add it next to @holdfast/test-server (npm install --save-dev ${REDIS_PACKAGE})`,
      {cause: error},
    )
  }
}

/**
 * Opens the engine's two connections (commands, and a duplicate for pub/sub), or fails fast with `redis-unavailable`
 * naming the URL: no retry at start, so a wrong URL is an error, not a hang. Once `connected()` was called, lost
 * connections are retried forever.
 */
export async function openConnections(
  config: RedisConfig,
): Promise<{commands: RedisConnection; subscriber: RedisConnection}> {
  const createClient = await loadCreateClient()
  let running = false
  const commands = createClient({
    url: config.url,
    // Commands fail at once while Redis is unreachable instead of queueing: a publish is refused, never delayed.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: config.connectTimeoutMs,
      reconnectStrategy: (retries: number, cause: Error) => (running ? reconnectDelay(retries) : cause),
    },
  }) as RedisConnection
  const subscriber = commands.duplicate()
  // Errors before the engine exists are reported by this function itself.
  const quiet = (): void => {}
  commands.on('error', quiet)
  subscriber.on('error', quiet)
  try {
    await commands.connect()
    await subscriber.connect()
  } catch (error) {
    commands.destroy()
    subscriber.destroy()
    throw new TestServerError(
      'redis-unavailable',
      `Cannot connect to Redis at ${config.displayUrl}: ${messageOf(error)}`,
      {cause: error},
    )
  }
  running = true
  return {commands, subscriber}
}
