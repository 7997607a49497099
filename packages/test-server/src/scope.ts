import {randomBytes} from 'node:crypto'
import {TestServerError} from './errors.js'
import type {Hub} from './hub.js'
import type {ChannelScope, ConnectionRecord, ScopeOptions, TestServer, WaitOptions} from './types.js'
import {DEFAULT_WAIT_MS} from './wait-list.js'

let scopes = 0

/** A channel name no other scope of this process uses. */
export function uniqueChannel(prefix = 'scope'): string {
  return `${prefix}-${process.pid}-${++scopes}-${randomBytes(3).toString('hex')}`
}

/** A ChannelScope over `server`; see the interface for what each method aims at. */
export function createScope<Fleet extends boolean>(
  server: TestServer<Fleet>,
  hub: Hub,
  channel: string = uniqueChannel(),
  scopeOptions: ScopeOptions = {},
): ChannelScope<Fleet> {
  hub.channel(channel)
  let cursor: ConnectionRecord | undefined
  const ours = (record: ConnectionRecord): boolean => record.channel === channel
  const defaultWait = (): number => {
    const value = scopeOptions.timeoutMs ?? DEFAULT_WAIT_MS
    return typeof value === 'function' ? value() : value
  }
  /** `options` with this scope's default `timeoutMs` filled in. */
  const withTimeout = <O extends WaitOptions>(options: O | undefined): O & {timeoutMs: number} =>
    ({...options, timeoutMs: options?.timeoutMs ?? defaultWait()}) as O & {timeoutMs: number}
  /** Runs a wait, adding the scope's hint on what to raise to a timeout's message. */
  const explained = async <T>(wait: Promise<T>): Promise<T> => {
    try {
      return await wait
    } catch (error) {
      const hint = scopeOptions.timeoutHint
      if (!TestServerError.is(error) || error.code !== 'timeout' || hint === undefined) throw error
      throw new TestServerError('timeout', `${error.message}; ${typeof hint === 'function' ? hint() : hint}`, {
        cause: error,
      })
    }
  }
  return {
    channel,
    server,
    url: server.streamUrl(channel),
    streamUrl: (query) => server.streamUrl(channel, query),
    publish: (event) => server.publish(channel, event),
    events: () => server.events(channel),
    inject: (fault, target) =>
      server.inject(fault, target?.connection === undefined ? {channel} : {channel, connection: target.connection}),
    clearFaults: () => server.clearFaults({channel}),
    resume: () => server.resume({channel}),
    connections: () => server.connections(channel),
    waitForConnection: (predicate, options) =>
      explained(
        server.waitForConnection(
          (record) => ours(record) && (predicate === undefined || predicate(record)),
          withTimeout(options),
        ),
      ),
    async nextConnection(options) {
      const {timeoutMs} = withTimeout(options)
      const started = Date.now()
      const arrived = await explained(server.waitForConnection(ours, {timeoutMs, ...(cursor ? {after: cursor} : {})}))
      cursor = arrived
      // Resolve with the connection as answered: a stream opened (replay done) or a status, refusal or close.
      // Only a delay fault holds a connection unanswered; the wait then goes on, within the same budget.
      const answered = (record: ConnectionRecord): boolean => record.id === arrived.id && record.state !== 'connecting'
      const remaining = Math.max(0, timeoutMs - (Date.now() - started))
      return explained(server.waitForConnection(answered, {timeoutMs: remaining})).catch((error: unknown) => {
        if (!TestServerError.is(error) || error.code !== 'timeout') throw error
        throw new TestServerError(
          'timeout',
          `${arrived.id} arrived on '${channel}' but was not answered (held by a delay fault?): ${error.message}`,
          {cause: error},
        )
      })
    },
    waitForClose: (connection, options) => explained(server.waitForClose(connection, withTimeout(options))),
    startTicker: (options) => server.startTicker({...options, channel}),
    dispose: () => hub.disposeChannel(channel, 'scope-disposed'),
  }
}
