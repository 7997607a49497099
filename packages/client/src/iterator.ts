import {HoldfastError} from './errors'
import type {EventIteratorOptions, StreamMessage, SubscribeOptions} from './types'

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

/**
 * An async iterator over a source's messages: plain `StreamMessage`s, so iterating builds no DOM events. Ends when
 * the source closes and throws its fatal error. A consumer that falls `bufferSize` events behind pauses the source's
 * reading (TCP backpressure to the server) until it has caught up halfway; an iterator that was created but is not
 * being consumed ends with `buffer-overflow` instead, so it can neither hold the stream nor grow without bound.
 * Breaking out of the loop unsubscribes it.
 */
export function iterateEvents(
  source: IterableSource,
  register: (control: IteratorControl) => () => void,
  {types = 'message', bufferSize = 1000}: EventIteratorOptions = {},
): AsyncGenerator<StreamMessage, void, undefined> {
  if (!Number.isInteger(bufferSize) || bufferSize < 1)
    throw new HoldfastError('invalid-option', `Invalid iterator option: \`bufferSize\` must be a positive integer`)
  // Events arrive in bursts (a chunk's worth at once), so the consumer takes them a batch at a time: shifting them
  // one by one off a long array is quadratic.
  let queue: StreamMessage[] = []
  /** Received and not yet yielded, counting the rest of the batch being yielded. */
  let held = 0
  let consuming = false
  let ended = source.readyState === 2
  let failure: HoldfastError | undefined
  let wake = (): void => {}
  /** While the consumer holds the source's reading: the promise the source waits on, and what resolves it. */
  let paused: Promise<void> | undefined
  let resume = (): void => {}

  const onMessage = (message: StreamMessage): void => {
    if (!consuming && held >= bufferSize) {
      const reason = `An iterator that is not being consumed fell ${bufferSize} events behind`
      return end(new HoldfastError('buffer-overflow', reason))
    }
    queue.push(message)
    held++
    wake()
  }
  let unsubscribe = (): void => {}
  let unregister = (): void => {}
  function end(error?: HoldfastError): void {
    if (ended) return
    ended = true
    failure = error
    unsubscribe()
    unregister()
    resume()
    wake()
  }
  if (!ended) {
    unsubscribe = source.subscribe(onMessage, {types}) // first: it validates `types`
    unregister = register({
      end,
      pressure() {
        if (consuming && held >= bufferSize)
          return (paused ??= new Promise<void>((resolve) => {
            resume = () => {
              paused = undefined
              resolve()
            }
          }))
      },
    })
  }

  return (async function* () {
    consuming = true
    try {
      for (;;) {
        while (queue.length) {
          const batch = queue
          queue = []
          for (const message of batch) {
            if (--held <= bufferSize / 2) resume()
            yield message
          }
        }
        if (ended) {
          if (failure) throw failure
          return
        }
        await new Promise<void>((resolve) => (wake = resolve))
      }
    } finally {
      end()
    }
  })()
}
