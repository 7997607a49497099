import {TestServerError} from '../errors.js'
import type {FaultEntry} from '../faults/entry.js'
import {isConnectFault} from '../faults/parse.js'
import {faultsFromQuery, type QueryFault} from '../faults/query.js'
import type {Hub} from '../hub.js'
import {checkChannelName} from '../names.js'
import {MAX_POLL_TIMEOUT_MS} from '../options.js'
import {Stream} from '../stream.js'
import type {FaultType} from '../types.js'
import {requireToken} from './auth.js'
import {header} from './headers.js'
import type {AnyRequest, AnyResponse} from '../protocol.js'

/** The content type of a healthy stream. */
export const EVENT_STREAM = 'text/event-stream; charset=utf-8'
/** The content type a content-type fault answers with by default. */
const WRONG_CONTENT_TYPE = 'text/plain; charset=utf-8'
/** POST bodies are recorded up to this size. */
const MAX_RECORDED_BODY = 64 * 1024
/** The query parameter that overrides the `retry:` hint for one request. */
export const RETRY_PARAM = 'retryMs'
/** [ext] The query parameter that chooses how the events come: `stream` (the default) or `poll` (a long poll). */
export const TRANSPORT_PARAM = 'transport'
/** [ext] The query parameter that overrides the `pollTimeoutMs` option for one long poll. */
export const POLL_TIMEOUT_PARAM = 'pollTimeoutMs'

/** [spec] The Last-Event-ID header first; the query parameter for clients that cannot send headers. */
function lastEventIdOf(req: AnyRequest, url: URL, param: string): Pick<Stream, 'lastEventId' | 'lastEventIdFrom'> {
  const fromHeader = header(req, 'last-event-id')
  if (fromHeader !== undefined && fromHeader !== '') return {lastEventId: fromHeader, lastEventIdFrom: 'header'}
  const query = url.searchParams.get(param)
  if (query !== null && query !== '') return {lastEventId: query, lastEventIdFrom: 'query'}
  return {lastEventId: undefined, lastEventIdFrom: undefined}
}

function retryOf(url: URL, fallback: number | false): number | false {
  const value = url.searchParams.get(RETRY_PARAM)
  if (value === null) return fallback
  if (!/^\d{1,9}$/.test(value))
    throw new TestServerError('invalid-request', `\`${RETRY_PARAM}\` must be a non-negative integer, got "${value}"`)
  return Number(value)
}

/** How long the request waits as a long poll, or `undefined` for a stream. */
function pollTimeoutOf(url: URL, fallback: number): number | undefined {
  const transport = url.searchParams.get(TRANSPORT_PARAM)
  const timeout = url.searchParams.get(POLL_TIMEOUT_PARAM)
  if (transport !== null && transport !== 'stream' && transport !== 'poll')
    throw new TestServerError(
      'invalid-request',
      `\`${TRANSPORT_PARAM}\` must be "stream" or "poll", got ${JSON.stringify(transport)}`,
    )
  if (transport !== 'poll') {
    if (timeout !== null)
      throw new TestServerError(
        'invalid-request',
        `\`${POLL_TIMEOUT_PARAM}\` applies to long polls only: add \`${TRANSPORT_PARAM}=poll\``,
      )
    return undefined
  }
  if (timeout === null) return fallback
  if (!/^\d{1,9}$/.test(timeout) || Number(timeout) > MAX_POLL_TIMEOUT_MS)
    throw new TestServerError(
      'invalid-request',
      `\`${POLL_TIMEOUT_PARAM}\` must be an integer from 0 to ${MAX_POLL_TIMEOUT_MS}, got "${timeout}"`,
    )
  return Number(timeout)
}

/** Records the body of a POST (or any request that has one) as it arrives, up to 64 KiB. */
function recordBody(req: AnyRequest, stream: Stream, hub: Hub): void {
  if (header(req, 'content-length') === undefined && header(req, 'transfer-encoding') === undefined) return
  const chunks: Buffer[] = []
  let size = 0
  req.on('data', (chunk: Buffer) => {
    if (size < MAX_RECORDED_BODY) chunks.push(chunk)
    size += chunk.length
  })
  req.on('end', () => {
    stream.body = Buffer.concat(chunks).subarray(0, MAX_RECORDED_BODY).toString('utf8')
    hub.connections.bodyArrived(stream)
  })
}

/** The first fault of `type` among those claimed. */
function first<T extends FaultType>(faults: FaultEntry[], type: T): (FaultEntry & {fault: {type: T}}) | undefined {
  return faults.find((entry) => entry.fault.type === type) as (FaultEntry & {fault: {type: T}}) | undefined
}

/**
 * Answers `GET|POST /sse/:channel`. Connect faults decide the answer first (refuse, then delay, then status, then
 * content type); then the stream opens with the stream faults armed before the replay.
 */
export async function handleStreamRequest(
  hub: Hub,
  req: AnyRequest,
  res: AnyResponse,
  url: URL,
  channelName: string,
): Promise<void> {
  const name = checkChannelName(channelName)
  const queryFaults = faultsFromQuery(url.searchParams)
  if (queryFaults.length > 0) requireToken(req, url, hub.options.token, false)
  const retryMs = retryOf(url, hub.options.retryMs)
  const pollTimeoutMs = pollTimeoutOf(url, hub.options.pollTimeoutMs)
  if (hub.closing) throw new TestServerError('closed', 'The server is shutting down')
  const channel = hub.channel(name)
  // On a fleet, a channel new to this server first loads its log from Redis (one round trip), and while Redis is
  // unreachable no stream can open (a 503 `redis-unavailable`): its replay could not be trusted.
  const current = hub.whenCurrent(channel)
  if (current) await current
  if (hub.closing) throw new TestServerError('closed', 'The server is shutting down')

  const seq = hub.connections.nextSeq()
  const stream = new Stream(
    {
      id: `c${seq}`,
      seq,
      channel,
      req,
      res,
      now: Date.now(),
      pollTimeoutMs,
      ...lastEventIdOf(req, url, hub.options.lastEventIdParam),
    },
    hub,
  )
  hub.connections.add(stream)
  recordBody(req, stream, hub)

  const byKind = (connect: boolean): QueryFault[] =>
    queryFaults.filter(({fault}) => isConnectFault(fault.type) === connect)
  const connectFaults = [...hub.faults.claimFromQuery(byKind(true), stream), ...hub.faults.claim(stream, 'connect')]

  const refuse = first(connectFaults, 'refuse')
  if (refuse) {
    hub.connectFault(refuse, stream, () => stream.refuse())
    return
  }
  const delay = first(connectFaults, 'delay')
  if (delay) {
    const held = hub.connectFault(delay, stream, () => stream.hold(delay.id, delay.fault.durationMs))
    if (!(await held)) return
    if (hub.closing) {
      stream.fail(503, 'server', 'shutdown', 'The server is shutting down')
      return
    }
  }
  const status = first(connectFaults, 'status')
  if (status) {
    hub.connectFault(status, stream, () => stream.reject(status.fault))
    return
  }
  const contentType = first(connectFaults, 'content-type')
  const open = (): void =>
    stream.open({
      contentType: contentType ? (contentType.fault.contentType ?? WRONG_CONTENT_TYPE) : EVENT_STREAM,
      retryMs,
      plan: stream.channel.log.plan(stream.lastEventId, stream.channel.lastSeq),
      faults: [...hub.faults.claimFromQuery(byKind(false), stream), ...hub.faults.claim(stream, 'stream')],
    })
  if (contentType) hub.connectFault(contentType, stream, open)
  else open()
  hub.opened(stream)
}
