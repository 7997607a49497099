import {normalizeEvent} from '../channel.js'
import {TestServerError} from '../errors.js'
import {faultInfo} from '../faults/registry.js'
import type {Hub} from '../hub.js'
import {checkChannelName} from '../names.js'
import {closest} from '../suggest.js'
import type {ConnectionRecord, FaultTarget} from '../types.js'
import {waitTimeout} from '../wait-list.js'
import {stateParam, transportFilter, waitDescription, waitPredicate} from './connection-query.js'
import {readJson} from './json.js'
import type {AnyRequest} from '../protocol.js'

/** One control request, as a command handler sees it. */
interface Request {
  hub: Hub
  url: URL
  params: string[]
  body: () => Promise<unknown>
}

/** What a command answers: a JSON body, 200 unless said otherwise. */
export interface Answer {
  status?: number
  headers?: Record<string, string>
  body: unknown
}

interface Command {
  method: 'GET' | 'POST' | 'DELETE'
  /** Path segments after `/control`; `:name` matches any one segment. */
  path: string
  run: (request: Request) => Answer | Promise<Answer>
}

function invalid(message: string): never {
  throw new TestServerError('invalid-request', message)
}

/** The request body as an object with only `allowed` fields. */
function objectBody(value: unknown, allowed: readonly string[], example: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    invalid(`The request body must be a JSON object like ${example}`)
  const unknown = Object.keys(value).find((key) => !allowed.includes(key))
  if (unknown !== undefined) {
    const suggestion = closest(unknown, allowed)
    invalid(
      `Unknown field \`${unknown}\` (expected ${allowed.join(', ')}${suggestion ? `; did you mean ${suggestion}?` : ''})`,
    )
  }
  return value as Record<string, unknown>
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') invalid(`\`${field}\` must be a string, got ${JSON.stringify(value)}`)
  return value
}

/** A `timeoutMs` query parameter, as a number. */
function timeoutParam(url: URL): number {
  const text = url.searchParams.get('timeoutMs')
  if (text === null) return waitTimeout(undefined)
  if (!/^\d{1,9}$/.test(text)) invalid(`\`timeoutMs\` must be a non-negative integer, got "${text}"`)
  return Number(text)
}

/** `{channel?, connection?}` from a body or from the query. */
function targetOf(source: Record<string, unknown> | URLSearchParams): FaultTarget {
  const get = (key: string): unknown =>
    source instanceof URLSearchParams ? (source.get(key) ?? undefined) : source[key]
  const channel = optionalString(get('channel'), 'channel')
  const connection = optionalString(get('connection'), 'connection')
  return {
    ...(channel === undefined ? {} : {channel: checkChannelName(channel)}),
    ...(connection === undefined ? {} : {connection}),
  }
}

function connectionOrThrow(hub: Hub, id: string): ConnectionRecord {
  const record = hub.connections.record(id)
  if (!record) throw new TestServerError('unknown-connection', `No connection with id ${id}`)
  return record
}

async function publish({hub}: Request, body: unknown): Promise<Answer> {
  const input = objectBody(body, ['channel', 'data', 'event', 'retry', 'events'], '{"channel": "news", "data": "hi"}')
  const channel = checkChannelName(optionalString(input.channel, 'channel') ?? 'default')
  if (input.events === undefined) {
    const {channel: _channel, ...event} = input
    return {status: 201, body: {event: await hub.publish(channel, event)}}
  }
  if (Object.keys(input).some((key) => key !== 'channel' && key !== 'events'))
    invalid('Give either `events` or one event (`data`, `event`, `retry`), not both')
  if (!Array.isArray(input.events) || input.events.length === 0) invalid('`events` must be a non-empty array')
  // Validate every event before publishing any: a bad batch publishes nothing.
  input.events.forEach((event, index) => {
    try {
      normalizeEvent(event)
    } catch (error) {
      if (TestServerError.is(error)) invalid(`events[${index}]: ${error.message}`)
      throw error
    }
  })
  // One batch: consecutive ids, all published or (Redis unreachable) none.
  return {status: 201, body: {events: await hub.publishAll(channel, input.events)}}
}

/** Every control command. The README's endpoint table lists the same. */
export const commands: readonly Command[] = [
  {
    method: 'GET',
    path: '',
    run: () => ({body: {commands: commands.map(({method, path}) => `${method} /control${path ? `/${path}` : ''}`)}}),
  },
  {method: 'POST', path: 'publish', run: async (request) => publish(request, await request.body())},
  {method: 'GET', path: 'faults', run: ({hub}) => ({body: {faults: hub.faults.list()}})},
  {
    method: 'POST',
    path: 'faults',
    run: async ({hub, body}) => {
      const input = await body()
      if (typeof input !== 'object' || input === null || Array.isArray(input))
        throw new TestServerError('invalid-fault', 'Invalid fault: expected an object like {"type": "stall"}')
      const {channel, connection, ...fault} = input as Record<string, unknown>
      const entry = hub.inject(fault, targetOf({channel, connection}), 'control')
      return {status: 201, body: {fault: faultInfo(entry)}}
    },
  },
  {
    method: 'DELETE',
    path: 'faults',
    run: ({hub, url}) => ({body: {cleared: hub.clearFaults(targetOf(url.searchParams))}}),
  },
  {
    method: 'GET',
    path: 'faults/:id',
    run: ({hub, params}) => {
      const entry = hub.faults.get(params[0] as string)
      if (!entry) throw new TestServerError('unknown-fault', `No fault with id ${params[0]}`)
      return {body: {fault: faultInfo(entry)}}
    },
  },
  {
    method: 'DELETE',
    path: 'faults/:id',
    run: ({hub, params}) => {
      if (!hub.faults.clearOne(params[0] as string))
        throw new TestServerError('unknown-fault', `No fault with id ${params[0]}`)
      return {body: {cleared: 1}}
    },
  },
  {
    method: 'GET',
    path: 'faults/:id/fired',
    run: async ({hub, params, url}) => {
      const entry = hub.faults.get(params[0] as string)
      if (!entry) throw new TestServerError('unknown-fault', `No fault with id ${params[0]}`)
      return {body: {connection: await hub.whenFired(entry, timeoutParam(url))}}
    },
  },
  {
    method: 'POST',
    path: 'resume',
    run: async ({hub, body}) => {
      const input = objectBody(await body(), ['channel', 'connection'], '{"channel": "news"}')
      return {body: {resumed: hub.resume(targetOf(input))}}
    },
  },
  {
    method: 'GET',
    path: 'connections',
    run: ({hub, url}) => {
      const channel = url.searchParams.get('channel')
      if (channel !== null) hub.existingChannel(channel)
      const state = stateParam(url)
      const transport = transportFilter(url)
      return {
        body: {
          connections: hub.connections
            .list({
              ...(channel === null ? {} : {channel}),
              ...(state === undefined ? {} : {state}),
            })
            .filter(transport),
        },
      }
    },
  },
  {
    method: 'GET',
    path: 'connections/wait',
    run: async ({hub, url}) => {
      const after = url.searchParams.get('after') ?? undefined
      const connection = await hub.connections.waitFor(
        waitPredicate(url),
        {timeoutMs: timeoutParam(url), ...(after === undefined ? {} : {after})},
        waitDescription(url),
      )
      return {body: {connection}}
    },
  },
  {
    method: 'GET',
    path: 'connections/:id',
    run: ({hub, params}) => ({body: {connection: connectionOrThrow(hub, params[0] as string)}}),
  },
  {
    method: 'GET',
    path: 'connections/:id/closed',
    run: async ({hub, params, url}) => ({
      body: {connection: await hub.connections.waitForClose(params[0] as string, {timeoutMs: timeoutParam(url)})},
    }),
  },
  {method: 'GET', path: 'channels', run: ({hub}) => ({body: {channels: hub.channelInfos()}})},
  {
    method: 'GET',
    path: 'channels/:name',
    run: ({hub, params}) => {
      const channel = hub.existingChannel(params[0])
      return {body: {channel: channel.info(), events: channel.log.entries().map((entry) => entry.event)}}
    },
  },
  {
    method: 'DELETE',
    path: 'channels/:name',
    run: ({hub, params}) => {
      const channel = hub.existingChannel(params[0])
      hub.disposeChannel(channel.name, 'reset')
      return {body: {deleted: channel.name}}
    },
  },
  {
    method: 'GET',
    path: 'tickers',
    run: ({hub}) => ({
      body: {tickers: hub.tickers().map(({channel, intervalMs, ticks}) => ({channel, intervalMs, ticks}))},
    }),
  },
  {
    method: 'POST',
    path: 'tickers',
    run: async ({hub, body}) => {
      const input = objectBody(
        await body(),
        ['channel', 'intervalMs', 'event'],
        '{"channel": "clock", "intervalMs": 1000}',
      )
      const {channel, intervalMs, ticks} = hub.startTicker(input)
      return {status: 201, body: {ticker: {channel, intervalMs, ticks}}}
    },
  },
  {
    method: 'DELETE',
    path: 'tickers/:channel',
    run: ({hub, params}) => {
      const channel = checkChannelName(params[0])
      if (!hub.stopTicker(channel)) invalid(`No ticker runs on channel '${channel}'`)
      return {body: {stopped: channel}}
    },
  },
  {
    method: 'POST',
    path: 'reset',
    run: ({hub}) => {
      hub.reset()
      return {body: {reset: true}}
    },
  },
]

function matchPath(pattern: string, segments: string[]): string[] | undefined {
  const parts = pattern === '' ? [] : pattern.split('/')
  if (parts.length !== segments.length) return undefined
  const params: string[] = []
  for (const [index, part] of parts.entries()) {
    const segment = segments[index] as string
    if (part.startsWith(':')) params.push(segment)
    else if (part !== segment) return undefined
  }
  return params
}

/**
 * Runs the control command at `/control/<path>`. An unknown command is a 400 naming the known ones; a known one
 * with another method is a 405.
 */
export async function runControl(hub: Hub, req: AnyRequest, url: URL, segments: string[]): Promise<Answer> {
  const found = commands
    .map((command) => ({command, params: matchPath(command.path, segments)}))
    .filter((match): match is {command: Command; params: string[]} => match.params !== undefined)
  if (found.length === 0) {
    const names = [...new Set(commands.map(({path}) => path.split('/')[0]).filter(Boolean))]
    throw new TestServerError(
      'unknown-command',
      `Unknown control command '${segments.join('/')}' (commands: ${names.join(', ')}; GET /control lists them)`,
    )
  }
  // A literal segment beats a parameter: `connections/wait` is not the connection named "wait".
  found.sort((a, b) => a.params.length - b.params.length)
  const match = found.find(({command}) => command.method === req.method)
  if (!match) {
    const allowed = [...new Set(found.map(({command}) => command.method))].join(', ')
    const message = `Use ${allowed} for /control/${segments.join('/')}, not ${req.method ?? 'this method'}`
    return {status: 405, headers: {Allow: allowed}, body: {error: {code: 'method-not-allowed', message}}}
  }
  return match.command.run({hub, url, params: match.params, body: () => readJson(req)})
}
