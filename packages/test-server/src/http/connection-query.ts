import {TestServerError} from '../errors.js'
import {checkChannelName} from '../names.js'
import type {ConnectionPredicate, ConnectionRecord, HttpProtocol, Transport} from '../types.js'

// The query parameters that select connections: `GET /control/connections` and `/control/connections/wait`.

const STATES: readonly ConnectionRecord['state'][] = ['connecting', 'open', 'closed']
const TRANSPORTS: readonly Transport[] = ['stream', 'poll']
const PROTOCOLS: readonly HttpProtocol[] = ['http/1.0', 'http/1.1', 'h2']

/** A query parameter that must be one of `allowed`, or `undefined` when absent. */
function oneOf<T extends string>(url: URL, name: string, allowed: readonly T[]): T | undefined {
  const value = url.searchParams.get(name)
  if (value === null) return undefined
  if (!allowed.includes(value as T))
    throw new TestServerError('invalid-request', `\`${name}\` must be one of ${allowed.join(', ')}, got "${value}"`)
  return value as T
}

export function stateParam(url: URL): ConnectionRecord['state'] | undefined {
  return oneOf(url, 'state', STATES)
}

/** `?transport=` and `?protocol=` as a predicate (true for every record when neither is given). */
export function transportFilter(url: URL): ConnectionPredicate {
  const transport = oneOf(url, 'transport', TRANSPORTS)
  const protocol = oneOf(url, 'protocol', PROTOCOLS)
  return (record) =>
    (transport === undefined || record.transport === transport) &&
    (protocol === undefined || record.protocol === protocol)
}

export function waitPredicate(url: URL): ConnectionPredicate {
  const params = url.searchParams
  const channel = params.get('channel')
  if (channel !== null) checkChannelName(channel)
  const lastEventId = params.get('lastEventId')
  const method = params.get('method')?.toUpperCase()
  const state = stateParam(url)
  const transport = transportFilter(url)
  return (record) =>
    transport(record) &&
    (channel === null || record.channel === channel) &&
    (lastEventId === null || record.lastEventId === lastEventId) &&
    (method === undefined || record.method === method) &&
    (state === undefined || record.state === state)
}

/** What a `connections/wait` request waits for, in words: "with channel news, Last-Event-ID 7", or "at all". */
export function waitDescription(url: URL): string {
  const params = url.searchParams
  const words: Array<[string, string]> = [
    ['channel', 'channel'],
    ['lastEventId', 'Last-Event-ID'],
    ['method', 'method'],
    ['state', 'state'],
    ['transport', 'transport'],
    ['protocol', 'protocol'],
  ]
  const parts = words.flatMap(([param, word]) => {
    const value = params.get(param)
    return value === null ? [] : [`${word} ${value}`]
  })
  return parts.length === 0 ? 'at all' : `with ${parts.join(', ')}`
}
