import {TestServerError} from './errors.js'
import type {Stream} from './stream.js'
import type {ConnectionPredicate, ConnectionRecord, WaitForConnectionOptions} from './types.js'
import {WaitList, waitTimeout} from './wait-list.js'

/** Filters of `list()`. */
export interface ConnectionFilter {
  channel?: string
  state?: ConnectionRecord['state']
}

function describe(record: ConnectionRecord): string {
  return `${record.id} (${record.channel}, ${record.state}${record.lastEventId ? `, Last-Event-ID ${record.lastEventId}` : ''})`
}

/**
 * Every stream request the server has seen: the live ones (connecting or open) and a bounded history of closed
 * ones, as snapshots. Waiters re-check when a connection arrives, opens or closes.
 */
export class ConnectionRegistry {
  readonly #live = new Map<string, Stream>()
  #history: ConnectionRecord[] = []
  readonly #historyLimit: number
  readonly #waits = new WaitList<ConnectionRecord>()
  #seq = 0

  constructor(historyLimit: number) {
    this.#historyLimit = historyLimit
  }

  /** The number the next connection gets. */
  nextSeq(): number {
    return ++this.#seq
  }

  get liveCount(): number {
    return this.#live.size
  }

  /** Live streams (connecting and open), oldest first. */
  live(): IterableIterator<Stream> {
    return this.#live.values()
  }

  get(id: string): Stream | undefined {
    return this.#live.get(id)
  }

  add(stream: Stream): void {
    this.#live.set(stream.id, stream)
    this.changed(stream)
  }

  /** Re-checks the waiters against a stream whose state changed. */
  changed(stream: Stream): void {
    if (this.#waits.size > 0) this.#waits.notify(stream.snapshot())
  }

  closed(stream: Stream): void {
    if (!this.#live.delete(stream.id)) return
    const record = stream.snapshot()
    if (this.#historyLimit > 0) {
      this.#history.push(record)
      if (this.#history.length > this.#historyLimit) this.#history.shift()
    }
    if (this.#waits.size > 0) this.#waits.notify(record)
  }

  /**
   * A request body finished arriving: waiters re-check, and a connection closed before it did (a `status` fault
   * does not wait for the body) gets it in its record too.
   */
  bodyArrived(stream: Stream): void {
    if (this.#live.has(stream.id)) return this.changed(stream)
    const record = this.#history.find(({id}) => id === stream.id)
    if (!record) return
    record.body = stream.body
    if (this.#waits.size > 0) this.#waits.notify(record)
  }

  /** A snapshot of one connection, live or in the history. */
  record(id: string): ConnectionRecord | undefined {
    return this.#live.get(id)?.snapshot() ?? this.#history.find((record) => record.id === id)
  }

  /** Snapshots in arrival order. */
  list(filter: ConnectionFilter = {}): ConnectionRecord[] {
    const keep = (record: {channel: string; state: string}): boolean =>
      (filter.channel === undefined || record.channel === filter.channel) &&
      (filter.state === undefined || record.state === filter.state)
    const records = this.#history.filter(keep)
    for (const stream of this.#live.values()) {
      if (keep({channel: stream.channel.name, state: stream.state})) records.push(stream.snapshot())
    }
    return records.sort((a, b) => a.seq - b.seq)
  }

  /**
   * The first connection, in arrival order, that matches `predicate` and arrived after `options.after`: one
   * already seen, or the next one to arrive, open or close.
   */
  waitFor(
    predicate: ConnectionPredicate = () => true,
    options: WaitForConnectionOptions = {},
    /** What the predicate asks for, for the timeout's message ("with channel news, Last-Event-ID 7"). */
    what?: string,
  ): Promise<ConnectionRecord> {
    const timeoutMs = waitTimeout(options)
    const afterSeq = this.#afterSeq(options.after)
    const test = (record: ConnectionRecord): ConnectionRecord | undefined =>
      record.seq > afterSeq && predicate(record) ? record : undefined
    const initial = this.list().find((record) => test(record) !== undefined)
    return this.#waits.wait(test, timeoutMs, () => this.#timeoutMessage(afterSeq, what), initial)
  }

  /** Resolves with the connection's record once it is closed (at once if it already is). */
  waitForClose(connection: ConnectionRecord | string, options: {timeoutMs?: number} = {}): Promise<ConnectionRecord> {
    const id = typeof connection === 'string' ? connection : connection.id
    const timeoutMs = waitTimeout(options)
    const current = this.record(id)
    if (!current) throw new TestServerError('unknown-connection', `No connection with id ${id}`)
    const test = (record: ConnectionRecord): ConnectionRecord | undefined =>
      record.id === id && record.state === 'closed' ? record : undefined
    return this.#waits.wait(test, timeoutMs, () => `Connection ${id} did not close`, test(current))
  }

  /** Forgets the closed connections of a channel (or all). Live ones are ended by their owner, not here. */
  forget(channel?: string): void {
    this.#history = channel === undefined ? [] : this.#history.filter((record) => record.channel !== channel)
  }

  rejectWaiters(error: Error): void {
    this.#waits.rejectAll(error)
  }

  #afterSeq(after: WaitForConnectionOptions['after']): number {
    if (after === undefined) return 0
    const id = typeof after === 'string' ? after : after?.id
    const record = typeof id === 'string' ? this.record(id) : undefined
    if (record) return record.seq
    const seq = typeof after === 'object' && after !== null ? after.seq : Number(String(id).replace(/^c/, ''))
    if (!Number.isInteger(seq)) throw new TestServerError('unknown-connection', `No connection with id ${String(id)}`)
    return seq
  }

  #timeoutMessage(afterSeq: number, what: string | undefined): string {
    const seen = this.list().filter((record) => record.seq > afterSeq)
    const list = seen.length === 0 ? 'none' : seen.slice(-10).map(describe).join(', ')
    const after = afterSeq > 0 ? ` after c${afterSeq}` : ''
    const missing = what === undefined ? `matched the predicate${after}` : `${what} arrived${after}`
    return `No connection ${missing}; connections seen: ${list}`
  }
}
