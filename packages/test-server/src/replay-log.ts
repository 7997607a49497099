import type {PublishedEvent} from './types.js'

/** An event with its frame, serialised once at publish time and reused by every delivery and replay. */
export interface LogEntry {
  event: PublishedEvent
  /** The numeric id, for arithmetic. */
  seq: number
  frame: Buffer
  /** The frame as one HTTP chunk, framed once for every delivery. */
  wire: Buffer
}

/** What to send a client that arrives with a Last-Event-ID. */
export type ReplayPlan =
  | {result: 'none'; entries: readonly LogEntry[]}
  | {result: 'replayed'; entries: readonly LogEntry[]}
  | {result: 'too-old' | 'unknown-id'; entries: readonly LogEntry[]; oldestId: string | undefined}

const DECIMAL = /^(0|[1-9][0-9]{0,15})$/

/**
 * A bounded log of one channel's last events. Ids are consecutive integers, so the log always holds the range
 * `[newest - size + 1, newest]` and finding "everything after id N" is index arithmetic, not a search.
 */
export class ReplayLog {
  readonly #capacity: number
  #entries: LogEntry[] = []
  /** Index of the oldest entry once the ring is full. */
  #start = 0

  constructor(capacity: number) {
    this.#capacity = capacity
  }

  get size(): number {
    return this.#entries.length
  }

  /** The seq of the oldest entry kept, or `undefined` when empty. */
  get oldest(): number | undefined {
    return this.#entries.length === 0 ? undefined : this.#at(0).seq
  }

  append(entry: LogEntry): void {
    if (this.#capacity === 0) return
    if (this.#entries.length < this.#capacity) {
      this.#entries.push(entry)
    } else {
      this.#entries[this.#start] = entry
      this.#start = (this.#start + 1) % this.#capacity
    }
  }

  /** Entries with a seq greater than `seq`, oldest first. */
  after(seq: number): LogEntry[] {
    const oldest = this.oldest
    if (oldest === undefined) return []
    const result: LogEntry[] = []
    for (let i = Math.max(0, seq - oldest + 1); i < this.#entries.length; i++) result.push(this.#at(i))
    return result
  }

  /**
   * Plans the replay for a client whose Last-Event-ID is `lastEventId`, on a channel whose last id is `newest`.
   * `undefined` or `''` means a fresh client: nothing to replay. An id older than the log, not a decimal integer,
   * or newer than `newest` (the server restarted, say) cannot be resumed exactly: the plan replays the whole log
   * and reports why, so the stream can announce the gap.
   */
  plan(lastEventId: string | undefined, newest: number): ReplayPlan {
    if (lastEventId === undefined || lastEventId === '') return {result: 'none', entries: []}
    const oldest = this.oldest
    const oldestId = oldest === undefined ? undefined : String(oldest)
    if (!DECIMAL.test(lastEventId)) return {result: 'unknown-id', entries: this.after(0), oldestId}
    const seq = Number(lastEventId)
    if (seq > newest) return {result: 'unknown-id', entries: this.after(0), oldestId}
    // Events seq+1 … newest are needed; they are all here when seq+1 is not older than the oldest kept.
    const firstKept = oldest ?? newest + 1
    if (seq + 1 < firstKept) return {result: 'too-old', entries: this.after(0), oldestId}
    return {result: 'replayed', entries: this.after(seq)}
  }

  /** All entries, oldest first. */
  entries(): LogEntry[] {
    return this.after(0)
  }

  clear(): void {
    this.#entries = []
    this.#start = 0
  }

  #at(index: number): LogEntry {
    return this.#entries[(this.#start + index) % this.#entries.length] as LogEntry
  }
}
