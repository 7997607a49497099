import {HoldfastError} from './errors'
import type {EventIterator, EventIteratorOptions, StreamMessage, SubscribeOptions} from './types'

/** What the iterator needs from its source: messages, and its readyState. */
export interface IterableSource {
  readonly readyState: number
  subscribe(listener: (message: StreamMessage) => void, options: SubscribeOptions): () => void
}

/** How the source drives an iterator: it ends it when it closes, and asks it before reading the next chunk. */
export interface IteratorControl {
  end(error?: HoldfastError): void
  /** A promise while a consumer is `bufferSize` events behind: the source reads no more until it resolves. */
  pressure(): Promise<void> | undefined
}

const DONE: IteratorResult<StreamMessage, undefined> = Object.freeze({done: true, value: undefined})

/**
 * An async iterator over a source's messages: plain `StreamMessage`s, so iterating builds no DOM events. Ends when
 * the source closes and throws its fatal error. A consumer that falls `bufferSize` events behind pauses the source's
 * reading (TCP backpressure to the server) until it has caught up halfway. No consumer can hold the stream: one that
 * never started ends with `buffer-overflow` once `bufferSize` events wait for it, and one that takes nothing for
 * `stallTimeout` ms while the source waits for it is abandoned the same way. `return()` ends it at once, settling a
 * pending `next()` (how `break`, timeouts and AbortSignal wrappers end a loop).
 *
 * A plain object, not an async generator: a generator queues `return()` behind a pending `next()`, so that neither
 * settles until another message arrives, and that message is then swallowed.
 */
export function iterateEvents(
  source: IterableSource,
  register: (control: IteratorControl) => () => void,
  {types = 'message', bufferSize = 1000}: EventIteratorOptions = {},
  stallTimeout: number,
): EventIterator {
  if (!Number.isInteger(bufferSize) || bufferSize < 1)
    throw new HoldfastError('invalid-option', `Invalid iterator option: \`bufferSize\` must be a positive integer`)
  /** Received and not yet taken: `queue[head]` onwards (shifting one by one off a long array is quadratic). */
  let queue: StreamMessage[] = []
  let head = 0
  let started = false
  let ended = source.readyState === 2
  let failure: HoldfastError | undefined
  /** Wakes the consumer's `next()` that waits for a message or the end. */
  let wake = (): void => {}
  /** While the consumer holds the source's reading: the promise the source waits on, and its resolver. */
  let paused: Promise<void> | undefined
  let resume = (): void => {}
  /** Runs while the source is paused for this consumer: it fires when the consumer stops taking messages. */
  let stallTimer: ReturnType<typeof setTimeout> | undefined

  const held = (): number => queue.length - head
  function watchStall(): void {
    clearTimeout(stallTimer)
    const reason = `An iterator took no event for ${stallTimeout} ms while ${bufferSize} waited for it`
    stallTimer = setTimeout(() => end(new HoldfastError('buffer-overflow', reason)), stallTimeout)
  }

  let unsubscribe = (): void => {}
  let unregister = (): void => {}
  function end(error?: HoldfastError): void {
    if (ended) return
    ended = true
    failure = error
    unsubscribe()
    unregister()
    clearTimeout(stallTimer)
    resume()
    wake()
  }
  if (!ended) {
    // First: it validates `types`.
    unsubscribe = source.subscribe(
      (message) => {
        if (!started && held() >= bufferSize)
          return end(new HoldfastError('buffer-overflow', `An unconsumed iterator fell ${bufferSize} events behind`))
        queue.push(message)
        wake()
      },
      {types},
    )
    unregister = register({
      end,
      pressure() {
        if (!started || held() < bufferSize) return
        if (!paused) watchStall()
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
    async next() {
      started = true
      while (head === queue.length && !ended) await new Promise<void>((resolve) => (wake = resolve))
      if (head < queue.length) {
        const value = queue[head++]!
        if (head === queue.length) {
          queue = []
          head = 0
        }
        // Caught up halfway: the source reads on. Before that, a message taken is progress: the consumer is alive.
        if (paused && held() > bufferSize / 2) watchStall()
        else if (paused) resume()
        return {done: false, value}
      }
      const error = failure
      failure = undefined
      if (error) throw error
      return DONE
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
