import {TestServerError} from './errors.js'
import {eventFrame, httpChunk} from './frame.js'
import {ReplayLog, type LogEntry} from './replay-log.js'
import type {ChannelInfo, EventInput, PublishedEvent} from './types.js'

/** What a channel delivers events to: an open stream. */
export interface Subscriber {
  sendEvent(entry: LogEntry): void
}

/** An event checked and ready to publish: `data` is text. */
export interface NormalizedEvent {
  data: string
  event: string | undefined
  retry: number | undefined
}

function invalidEvent(message: string): never {
  throw new TestServerError('invalid-request', `Invalid event: ${message}`)
}

/** Checks an event to publish; `data` that is not a string becomes JSON. */
export function normalizeEvent(input: unknown): NormalizedEvent {
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

/** The log entry of event `seq` of a channel: the event frozen, its frame serialised and framed as a chunk once. */
export function logEntry(channel: string, seq: number, event: NormalizedEvent, publishedAt: number): LogEntry {
  const id = String(seq)
  const {data, retry} = event
  const published: PublishedEvent = Object.freeze({id, channel, event: event.event, data, retry, publishedAt})
  const frame = eventFrame({id, event: event.event, data, retry})
  return {event: published, seq, frame, wire: httpChunk(frame)}
}

/**
 * One named stream of events as this server sees it: consecutive integer ids, a bounded replay log and the open
 * streams subscribed to it. The channel does not allocate ids: the engine (engine/engine.ts) does, in memory or on
 * Redis, and appends every event here in id order. Every subscriber gets the same Buffer.
 */
export class Channel {
  readonly name: string
  /** The id of the last event appended, 0 before the first. */
  lastSeq = 0
  readonly log: ReplayLog
  readonly subscribers = new Set<Subscriber>()

  constructor(name: string, replayLimit: number) {
    this.name = name
    this.log = new ReplayLog(replayLimit)
  }

  /**
   * Appends the next event and delivers it to every subscriber. An id already seen is ignored (false). An id past
   * the next one means the events between are gone for good (a shared log trimmed while this server was cut off
   * from it): the replay log restarts at this event, so it still holds consecutive ids, and each stream announces
   * the gap itself.
   */
  append(entry: LogEntry): boolean {
    if (entry.seq <= this.lastSeq) return false
    if (entry.seq !== this.lastSeq + 1) this.log.clear()
    this.lastSeq = entry.seq
    this.log.append(entry)
    for (const subscriber of this.subscribers) subscriber.sendEvent(entry)
    return true
  }

  /** Moves the last id forward without an event (the events up to `seq` exist but are not in any log any more). */
  skipTo(seq: number): void {
    if (seq <= this.lastSeq) return
    this.log.clear()
    this.lastSeq = seq
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
