import {randomBytes} from 'node:crypto'
import type {Hub} from './hub.js'
import type {ChannelScope, ConnectionRecord, TestServer} from './types.js'

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
): ChannelScope<Fleet> {
  hub.channel(channel)
  let cursor: ConnectionRecord | undefined
  const ours = (record: ConnectionRecord): boolean => record.channel === channel
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
      server.waitForConnection((record) => ours(record) && (predicate === undefined || predicate(record)), options),
    async nextConnection(options) {
      const record = await server.waitForConnection(ours, {...options, ...(cursor ? {after: cursor} : {})})
      cursor = record
      return record
    },
    waitForClose: (connection, options) => server.waitForClose(connection, options),
    startTicker: (options) => server.startTicker({...options, channel}),
    dispose: () => hub.disposeChannel(channel, 'scope-disposed'),
  }
}
