import type {ServerResponse} from 'node:http'

interface Pending {
  chunk: Buffer
  /** Called once the chunk's last byte was handed to the socket and flushed. */
  onWritten: (() => void) | undefined
}

/**
 * The only writer of one response's body. It honours backpressure (after `write()` returns false nothing more is
 * written until `drain`), holds what cannot be written yet in a queue bounded by `limit` bytes, and can stall (write
 * nothing at all) or trickle (one byte per `intervalMs`). Every body byte is counted here.
 */
export class Outbox {
  bytesSent = 0
  readonly #res: ServerResponse
  readonly #limit: number
  readonly #onOverflow: (queuedBytes: number) => void
  #queue: Pending[] | undefined
  #queuedBytes = 0
  #waitingForDrain = false
  #stalled = false
  #trickleMs = 0
  #trickleTimer: ReturnType<typeof setTimeout> | undefined
  #closed = false

  constructor(res: ServerResponse, limit: number, onOverflow: (queuedBytes: number) => void) {
    this.#res = res
    this.#limit = limit
    this.#onOverflow = onOverflow
  }

  get queuedBytes(): number {
    return this.#queuedBytes
  }

  get stalled(): boolean {
    return this.#stalled
  }

  get trickling(): boolean {
    return this.#trickleMs > 0
  }

  /** True when a write would go straight to the socket: nothing queued, no backpressure, not stalled. */
  get idle(): boolean {
    return this.#queuedBytes === 0 && !this.#waitingForDrain && !this.#stalled
  }

  /** Writes `chunk` now if the socket can take it, or queues it; a queue past the limit is reported to the owner. */
  write(chunk: Buffer, onWritten?: () => void): void {
    if (this.#closed || chunk.length === 0) return
    if (this.idle && this.#trickleMs === 0) {
      this.#writeNow(chunk, onWritten)
      return
    }
    this.#queuedBytes += chunk.length
    ;(this.#queue ??= []).push({chunk, onWritten})
    if (this.#queuedBytes > this.#limit) this.#onOverflow(this.#queuedBytes)
    else this.#flush()
  }

  /** Writes nothing until `resume()`. Queued bytes stay queued. */
  stall(): void {
    this.#stalled = true
    this.#clearTrickleTimer()
  }

  resume(): void {
    this.#stalled = false
    this.#flush()
  }

  /** From now on, one byte every `intervalMs`; 0 goes back to normal writing. */
  trickle(intervalMs: number): void {
    this.#trickleMs = intervalMs
    this.#clearTrickleTimer()
    this.#flush()
  }

  /**
   * Hands everything queued to the socket at once, ignoring backpressure, stalls and trickling: used right before a
   * clean end, when the queue is bounded and the response is about to finish anyway.
   */
  flushAll(): void {
    if (this.#closed) return
    this.#stalled = false
    this.#trickleMs = 0
    this.#clearTrickleTimer()
    const queue = this.#queue ?? []
    this.#queue = undefined
    this.#queuedBytes = 0
    for (const {chunk, onWritten} of queue) {
      this.bytesSent += chunk.length
      this.#res.write(chunk, onWritten)
    }
  }

  /** Releases the queue and the timer; nothing is written afterwards. */
  close(): void {
    this.#closed = true
    this.#queue = undefined
    this.#queuedBytes = 0
    this.#clearTrickleTimer()
    if (this.#waitingForDrain) this.#res.off('drain', this.#onDrain)
  }

  #writeNow(chunk: Buffer, onWritten: (() => void) | undefined): void {
    this.bytesSent += chunk.length
    // A destroyed socket swallows the write; its 'close' ends the connection.
    if (!this.#res.write(chunk, onWritten)) {
      this.#waitingForDrain = true
      this.#res.once('drain', this.#onDrain)
    }
  }

  readonly #onDrain = (): void => {
    this.#waitingForDrain = false
    this.#flush()
  }

  #flush(): void {
    if (this.#closed || this.#stalled || this.#waitingForDrain || this.#trickleTimer) return
    const queue = this.#queue
    if (!queue || queue.length === 0) return
    if (this.#trickleMs > 0) {
      this.#trickleByte(queue)
      return
    }
    while (queue.length > 0 && !this.#waitingForDrain && !this.#closed) {
      const next = queue.shift() as Pending
      this.#queuedBytes -= next.chunk.length
      this.#writeNow(next.chunk, next.onWritten)
    }
  }

  #trickleByte(queue: Pending[]): void {
    const head = queue[0] as Pending
    const byte = head.chunk.subarray(0, 1)
    const last = head.chunk.length === 1
    this.#queuedBytes -= 1
    if (last) queue.shift()
    else head.chunk = head.chunk.subarray(1)
    this.#writeNow(byte, last ? head.onWritten : undefined)
    if (queue.length > 0) {
      this.#trickleTimer = setTimeout(() => {
        this.#trickleTimer = undefined
        this.#flush()
      }, this.#trickleMs)
    }
  }

  #clearTrickleTimer(): void {
    if (this.#trickleTimer) clearTimeout(this.#trickleTimer)
    this.#trickleTimer = undefined
  }
}
