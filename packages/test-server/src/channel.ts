import {TestServerError} from './errors.js'
import {eventFrame, httpChunk} from './frame.js'
import {ReplayLog, type LogEntry} from './replay-log.js'
import type {ChannelInfo, EventInput, PublishedEvent} from './types.js'

/** What a channel delivers events to: an open stream. */
export interface Subscriber {
  sendEvent(entry: LogEntry): void
}

function invalidEvent(message: string): never {
  throw new TestServerError('invalid-request', `Invalid event: ${message}`)
}

/** Checks an event to publish; `data` that is not a string becomes JSON. */
export function normalizeEvent(input: unknown): {data: string; event: string | undefined; retry: number | undefined} {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    invalidEvent('expected an object like {"data": "hello", "event": "greeting"}')
  const {data, event, retry, ...rest} = input as EventInput & Record<string, unknown>
  const unknown = Object.keys(rest)
  if (unknown.length > 0) invalidEvent(`unknown field \`${unknown[0]}\` (expected data, event, retry)`)
  if (!('data' in input)) invalidEvent('`data` is required')
  if (event !== undefined && (typeof event !== 'string' || event === '' || /[\r\n]/.test(event)))
    invalidEvent('`event` must be a non-empty string without line breaks')
  if (retry !== undefined && (typeof retry !== 'number' || !Number.isInteger(retry) || retry < 0))
    invalidEvent(`\`retry\` must be a non-negative integer, got ${JSON.stringify(retry)}`)
  const text = typeof data === 'string' ? data : JSON.stringify(data)
  if (text === undefined) invalidEvent('`data` must be a string or a JSON value')
  return {data: text, event, retry}
}

/**
 * One named stream of events: consecutive integer ids, a bounded replay log and the open streams subscribed to it.
 * Publishing serialises the event once; every subscriber gets the same Buffer.
 */
export class Channel {
  readonly name: string
  /** The id of the last event published, 0 before the first. */
  lastSeq = 0
  readonly log: ReplayLog
  readonly subscribers = new Set<Subscriber>()

  constructor(name: string, replayLimit: number) {
    this.name = name
    this.log = new ReplayLog(replayLimit)
  }

  /** Appends the event to the log and delivers it to every subscriber; returns it with its id. */
  publish(input: unknown, now: number): PublishedEvent {
    const {data, event, retry} = normalizeEvent(input)
    const seq = ++this.lastSeq
    const id = String(seq)
    const published: PublishedEvent = Object.freeze({id, channel: this.name, event, data, retry, publishedAt: now})
    const frame = eventFrame({id, event, data, retry})
    const entry: LogEntry = {event: published, seq, frame, wire: httpChunk(frame)}
    this.log.append(entry)
    for (const subscriber of this.subscribers) subscriber.sendEvent(entry)
    return published
  }

  info(): ChannelInfo {
    const oldest = this.log.oldest
    return {
      name: this.name,
      lastId: String(this.lastSeq),
      oldestId: oldest === undefined ? undefined : String(oldest),
      logSize: this.log.size,
      openConnections: this.subscribers.size,
    }
  }
}
