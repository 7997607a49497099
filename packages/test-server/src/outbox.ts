import type {Writable} from 'node:stream'
import {httpChunk} from './frame.js'
import {isHttp2, type AnyResponse} from './protocol.js'

/** Who the outbox reports a queue past its limit to. */
export interface OutboxOwner {
  overflow(queuedBytes: number): void
}

interface Pending {
  chunk: Buffer
  /** The chunk as it goes on the wire, when it was framed in advance (a broadcast frames each event once). */
  wire: Buffer | undefined
  /** Called once the chunk's last byte was handed to the socket and flushed. */
  onWritten: (() => void) | undefined
}

/**
 * The only writer of one response's body. It honours backpressure (after `write()` returns false nothing more is
 * written until `drain`), holds what cannot be written yet in a queue bounded by `limit` bytes, and can stall (write
 * nothing at all) or trickle (one byte per `intervalMs`). Every body byte is counted here.
 *
 * Once the head is sent, body chunks go straight to the socket, framed as HTTP/1.1 chunks exactly as
 * `ServerResponse.write` would frame them: a broadcast then costs one socket write per client with a chunk framed
 * once for all, instead of four buffered writes and a deferred uncork per client (about twice as fast,
 * see bench/). `res.end()` still writes the last chunk. Without a socket of its own (a pipelined request) or without
 * chunked encoding (HTTP/1.0), and on HTTP/2 (where the socket is shared by every stream of the connection), it
 * writes through the response.
 */
export class Outbox {
  bytesSent = 0
  /** The socket, or the response itself when writing around it is not safe. */
  readonly #sink: Writable
  readonly #framed: boolean
  readonly #limit: number
  readonly #owner: OutboxOwner
  #queue: Pending[] | undefined
  #queuedBytes = 0
  #waitingForDrain = false
  #stalled = false
  #trickleMs = 0
  #trickleTimer: ReturnType<typeof setTimeout> | undefined
  #closed = false
  /** Called once the queue is empty (see `whenEmpty`). */
  #onEmpty: (() => void) | undefined

  constructor(res: AnyResponse, limit: number, owner: OutboxOwner) {
    const socket = res.socket
    this.#framed = !isHttp2(res) && socket !== null && res.chunkedEncoding && res.headersSent
    this.#sink = this.#framed && socket ? socket : res
    this.#limit = limit
    this.#owner = owner
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

  /**
   * Writes `chunk` now if the socket can take it, or queues it; a queue past the limit is reported to the owner.
   * `wire` is the chunk already framed by `httpChunk`, when the caller has it.
   */
  write(chunk: Buffer, onWritten?: () => void, wire?: Buffer): void {
    if (this.#closed || chunk.length === 0) return
    if (this.idle && this.#trickleMs === 0) {
      this.#writeNow(chunk, onWritten, wire)
      return
    }
    this.#queuedBytes += chunk.length
    ;(this.#queue ??= []).push({chunk, wire, onWritten})
    if (this.#queuedBytes > this.#limit) this.#owner.overflow(this.#queuedBytes)
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
    for (const {chunk, wire, onWritten} of queue) {
      this.bytesSent += chunk.length
      this.#sink.write(this.#onWire(chunk, wire), onWritten)
    }
  }

  /**
   * Calls `callback` once everything queued has been handed to the socket: at once when nothing is queued, or after
   * the last trickled byte or the last write held back by backpressure. Not called once the outbox is closed.
   */
  whenEmpty(callback: () => void): void {
    if (this.#closed) return
    if (this.#queuedBytes === 0) callback()
    else this.#onEmpty = callback
  }

  /** Releases the queue and the timer; nothing is written afterwards. */
  close(): void {
    this.#closed = true
    this.#onEmpty = undefined
    this.#queue = undefined
    this.#queuedBytes = 0
    this.#clearTrickleTimer()
    if (this.#waitingForDrain && this.#onDrain) this.#sink.off('drain', this.#onDrain)
  }

  #onWire(chunk: Buffer, wire: Buffer | undefined): Buffer {
    return this.#framed ? (wire ?? httpChunk(chunk)) : chunk
  }

  #writeNow(chunk: Buffer, onWritten: (() => void) | undefined, wire?: Buffer): void {
    this.bytesSent += chunk.length
    // A destroyed socket swallows the write; its 'close' ends the connection.
    if (!this.#sink.write(this.#onWire(chunk, wire), onWritten)) {
      this.#waitingForDrain = true
      // Created on first use: most streams never see backpressure.
      this.#onDrain ??= () => {
        this.#waitingForDrain = false
        this.#flush()
      }
      this.#sink.once('drain', this.#onDrain)
    }
  }

  #onDrain: (() => void) | undefined

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
      this.#writeNow(next.chunk, next.onWritten, next.wire)
    }
    if (queue.length === 0) this.#emptied()
  }

  #emptied(): void {
    const callback = this.#onEmpty
    this.#onEmpty = undefined
    callback?.()
  }

  #trickleByte(queue: Pending[]): void {
    const head = queue[0] as Pending
    const byte = head.chunk.subarray(0, 1)
    const last = head.chunk.length === 1
    this.#queuedBytes -= 1
    if (last) queue.shift()
    else {
      head.chunk = head.chunk.subarray(1)
      head.wire = undefined
    }
    this.#writeNow(byte, last ? head.onWritten : undefined)
    if (queue.length > 0) {
      this.#trickleTimer = setTimeout(() => {
        this.#trickleTimer = undefined
        this.#flush()
      }, this.#trickleMs)
    } else this.#emptied()
  }

  #clearTrickleTimer(): void {
    if (this.#trickleTimer) clearTimeout(this.#trickleTimer)
    this.#trickleTimer = undefined
  }
}
