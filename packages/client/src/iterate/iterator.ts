import {HoldfastError} from '../errors'
import {CONSUME, type EventSource} from '../event-source'
import type {MessageMap, MessageOf, MessageType, StreamMessage, UntypedMessages} from '../types'
import type {EventIterator, EventIteratorOptions} from './types'

const DONE: IteratorResult<never, undefined> = Object.freeze({done: true, value: undefined})

/**
 * An async iterator over a source's messages: plain `StreamMessage`s, so iterating builds no DOM events. Ends when
 * the source closes: quietly after `close()`, throwing its fatal error, or throwing `signal.reason` when its `signal`
 * closed it (as reading an aborted fetch's body does); at once, done, over a source closed already. A consumer that
 * falls `bufferSize` events behind pauses the source's reading (TCP backpressure to the server) until it has caught
 * up halfway. No consumer can hold the stream: one that never started ends with `buffer-overflow` once `bufferSize`
 * events wait for it, and one that takes nothing for `stallTimeout` ms while the source waits for it is abandoned
 * the same way. `next()` calls made before the previous
 * one settled queue up and settle in the order they were made, one message each. `return()` ends it at once, settling
 * every pending `next()` with `done` (how `break`, timeouts and AbortSignal wrappers end a loop).
 *
 * A plain object, not an async generator: a generator queues `return()` behind a pending `next()`, so that neither
 * settles until another message arrives, and that message is then swallowed.
 */
export function events<M extends MessageMap = UntypedMessages, K extends MessageType<M> = 'message' & MessageType<M>>(
  source: EventSource<M>,
  {types = 'message' as K, bufferSize = 1000, stallTimeout = 45_000}: EventIteratorOptions<K> = {},
): EventIterator<MessageOf<M, K>> {
  for (const [name, value] of Object.entries({bufferSize, stallTimeout}))
    if (!Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1)
      throw new HoldfastError('invalid-option', `Invalid iterator option: \`${name}\` must be a positive integer`)
  /** Received and not yet taken: `queue[head]` onwards (shifting one by one off a long array is quadratic). */
  let queue: StreamMessage<string, unknown>[] = []
  let head = 0
  let started = false
  let ended = source.readyState === 2
  let failure: unknown
  /** The consumer's `next()` calls that wait for a message or the end, oldest first: they settle in that order. */
  const waiting: Array<{
    resolve(result: IteratorResult<MessageOf<M, K>, undefined>): void
    reject(error: unknown): void
  }> = []
  /** While the consumer holds the source's reading: the promise the source waits on, and its resolver. */
  let paused: Promise<void> | undefined
  let resume = (): void => {}
  /** Runs while the source is paused for this consumer: it fires when the consumer stops taking messages. */
  let stallTimer: ReturnType<typeof setTimeout> | undefined
  /** When the consumer last took a message: the stall timer measures from it (a timer per message would cost more). */
  let takenAt = 0

  const held = (): number => queue.length - head
  /** The next message, taken: the consumer made progress. */
  function take(): IteratorResult<MessageOf<M, K>, undefined> {
    const value = queue[head++]!
    if (head === queue.length) {
      queue = []
      head = 0
    }
    // Caught up halfway: the source reads on. Before that, a message taken is progress: the consumer is alive.
    takenAt = Date.now()
    if (paused && held() <= bufferSize / 2) resume()
    return {done: false, value: value as MessageOf<M, K>}
  }
  /** Hands messages, then the end, to the waiting `next()` calls in order: the first after the end gets its error. */
  function settle(): void {
    while (waiting.length && (head < queue.length || ended)) {
      const next = waiting.shift()!
      if (head < queue.length) next.resolve(take())
      else if (failure !== undefined) {
        next.reject(failure)
        failure = undefined
      } else next.resolve(DONE)
    }
  }
  /** Arms the stall timer; when it fires early (the consumer took something since), it re-arms for what remains. */
  function watchStall(): void {
    const idle = Date.now() - takenAt
    if (idle >= stallTimeout) {
      const reason = `An iterator took no event for ${stallTimeout} ms while ${bufferSize} waited for it`
      return end(new HoldfastError('buffer-overflow', reason))
    }
    stallTimer = setTimeout(watchStall, stallTimeout - idle)
  }

  let unsubscribe = (): void => {}
  let unregister = (): unknown => 0
  function end(error?: unknown): void {
    if (ended) return
    ended = true
    failure = error
    unsubscribe()
    unregister()
    clearTimeout(stallTimer)
    resume()
    settle()
  }
  if (!ended) {
    // First: it validates `types`.
    unsubscribe = (source as EventSource<MessageMap>).subscribe(
      (message) => {
        if (!started && held() >= bufferSize)
          return end(new HoldfastError('buffer-overflow', `An unconsumed iterator fell ${bufferSize} events behind`))
        queue.push(message)
        settle()
      },
      {types: types as string},
    )
    unregister = source[CONSUME]({
      end,
      pressure() {
        if (!started || held() < bufferSize) return
        if (!paused) {
          takenAt = Date.now()
          watchStall()
        }
        return (paused ??= new Promise<void>((resolve) => {
          resume = () => {
            clearTimeout(stallTimer)
            paused = undefined
            resolve()
          }
        }))
      },
    })
  }

  return {
    next() {
      started = true
      // Nothing waits before it: a message ready or the end settles it at once (the hot path of a loop).
      return new Promise((resolve, reject) => {
        waiting.push({resolve, reject})
        settle()
      })
    },
    async return() {
      queue = []
      head = 0
      end()
      failure = undefined
      return DONE
    },
    [Symbol.asyncIterator]() {
      return this
    },
  }
}
