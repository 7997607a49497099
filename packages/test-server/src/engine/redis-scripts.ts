import type {NormalizedEvent} from '../channel.js'
import type {PublishedEvent} from '../types.js'

/**
 * How a channel lives in Redis. The names share the hash tag `{channel}`, so that a script touching them runs on one
 * node of a Redis Cluster too.
 * - `counter`: the last id allocated (a string integer, INCR).
 * - `log`: a Stream whose entry ids are `<id>-0`, so the stream's own order is the channel's id order; trimmed to
 *   the replay limit (`MAXLEN`) on every append; field `p` holds the payload.
 * - `live`: the pub/sub channel that carries `<id> <payload>` to every server following the channel.
 */
export interface ChannelKeys {
  counter: string
  log: string
  live: string
}

export function channelKeys(prefix: string, channel: string): ChannelKeys {
  const tag = `${prefix}{${channel}}`
  return {counter: `${tag}:id`, log: `${tag}:log`, live: `${tag}:live`}
}

/**
 * Appends events atomically: one id each from the counter, the entry added to the log (trimmed to ARGV[2] entries;
 * none kept when 0) and published on the live channel, in that order, for every event of the batch. A script runs
 * alone in Redis, so ids, log order and publish order are one order for every server. If the counter was lost while
 * the log survived (an eviction, a partial flush), it is first moved past the log's last id, so that an id is never
 * allocated twice. Returns the last id allocated.
 *
 * KEYS: counter, log. ARGV: live channel, max log length, payload…
 */
export const PUBLISH_SCRIPT = `
local counter = tonumber(redis.call('GET', KEYS[1]) or '0')
local top = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)[1]
if top then
  local topSeq = tonumber(string.match(top[1], '^(%d+)'))
  if topSeq > counter then counter = topSeq end
end
local maxlen = tonumber(ARGV[2])
for i = 3, #ARGV do
  counter = counter + 1
  if maxlen > 0 then
    redis.call('XADD', KEYS[2], 'MAXLEN', maxlen, counter .. '-0', 'p', ARGV[i])
  end
  redis.call('PUBLISH', ARGV[1], counter .. ' ' .. ARGV[i])
end
redis.call('SET', KEYS[1], counter)
return counter
`

/**
 * A consistent snapshot of a channel: the last id allocated, and the log entries after ARGV[1], oldest first; and a
 * barrier, `barrier <ARGV[3]>`, published on the live channel. A subscriber gets messages in the order Redis ran
 * their scripts, so once the barrier arrived, every event this snapshot counted that was published while the
 * subscription held has arrived too, even those the log no longer holds (or never held, with `replayLimit: 0`).
 *
 * KEYS: counter, log. ARGV: the last id this server has, live channel, barrier token.
 */
export const SYNC_SCRIPT = `
local counter = tonumber(redis.call('GET', KEYS[1]) or '0')
local entries = redis.call('XRANGE', KEYS[2], '(' .. ARGV[1] .. '-0', '+')
redis.call('PUBLISH', ARGV[2], 'barrier ' .. ARGV[3])
return {counter, entries}
`

/**
 * Gives a Redis that lost its data (restarted without persistence) back what this server knows of a channel: when
 * the counter is behind ARGV[1], it is set to it and the entries given (id, payload pairs, oldest first) newer than
 * the log's last entry are appended. Another server that already did so wins: nothing changes then. Returns the
 * counter.
 *
 * KEYS: counter, log. ARGV: last id known here, max log length, id, payload, id, payload…
 */
export const RESTORE_SCRIPT = `
local counter = tonumber(redis.call('GET', KEYS[1]) or '0')
local mine = tonumber(ARGV[1])
if counter >= mine then return counter end
redis.call('SET', KEYS[1], mine)
local topSeq = 0
local top = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)[1]
if top then topSeq = tonumber(string.match(top[1], '^(%d+)')) end
local maxlen = tonumber(ARGV[2])
if maxlen > 0 then
  for i = 3, #ARGV, 2 do
    if tonumber(ARGV[i]) > topSeq then
      redis.call('XADD', KEYS[2], 'MAXLEN', maxlen, ARGV[i] .. '-0', 'p', ARGV[i + 1])
    end
  end
end
return mine
`

/** The payload of one event, as stored in the log and carried on the live channel. */
interface Payload {
  d: string
  e?: string
  r?: number
  /** publishedAt, on the publishing server's clock */
  t: number
}

export function encodePayload(event: NormalizedEvent | PublishedEvent, publishedAt: number): string {
  const payload: Payload = {d: event.data, t: publishedAt}
  if (event.event !== undefined) payload.e = event.event
  if (event.retry !== undefined) payload.r = event.retry
  return JSON.stringify(payload)
}

/** Reads a payload back; `undefined` for anything that is not one (a foreign writer, say). */
export function decodePayload(text: string): {event: NormalizedEvent; publishedAt: number} | undefined {
  let payload: Partial<Payload>
  try {
    payload = JSON.parse(text) as Partial<Payload>
  } catch {
    return undefined
  }
  if (typeof payload !== 'object' || payload === null || typeof payload.d !== 'string') return undefined
  if (typeof payload.t !== 'number') return undefined
  return {
    event: {
      data: payload.d,
      event: typeof payload.e === 'string' ? payload.e : undefined,
      retry: typeof payload.r === 'number' ? payload.r : undefined,
    },
    publishedAt: payload.t,
  }
}

/** A live message, `<id> <payload>`, split; `undefined` when it is not one. */
export function parseLiveMessage(message: string): {seq: number; payload: string} | undefined {
  const space = message.indexOf(' ')
  if (space <= 0) return undefined
  const seq = Number(message.slice(0, space))
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined
  return {seq, payload: message.slice(space + 1)}
}

/** The token of a barrier message (`barrier <token>`, see SYNC_SCRIPT); `undefined` for any other message. */
export function parseBarrier(message: string): string | undefined {
  return message.startsWith('barrier ') ? message.slice(8) : undefined
}

/** A stream entry id `<seq>-0` as the seq. */
export function seqOfStreamId(id: string): number {
  return Number(id.slice(0, id.indexOf('-')))
}
