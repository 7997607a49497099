import {HoldfastError} from './errors'
import type {EventIteratorOptions} from './types'

/** What the iterator needs from its source: listeners, and its readyState. */
export interface IterableSource {
  readonly readyState: number
  addEventListener(type: string, listener: (event: MessageEvent) => void): void
  removeEventListener(type: string, listener: (event: MessageEvent) => void): void
}

/** How the source drives an iterator: it ends it when it closes, and asks it before reading the next chunk. */
export interface IteratorControl {
  end(error?: HoldfastError): void
  /** A promise while a consumer is `bufferSize` events behind: the source reads no more until it resolves. */
  pressure(): Promise<void> | undefined
}

/**
 * An async iterator over a source's events. Ends when the source closes and throws its fatal error. A consumer
 * that falls `bufferSize` events behind pauses the source's reading (TCP backpressure to the server) until it has
 * caught up halfway; an iterator that was created but is not being consumed ends with `buffer-overflow` instead, so
 * it can neither hold the stream nor grow without bound. Breaking out of the loop removes its listeners.
 */
export function iterateEvents(
  source: IterableSource,
  register: (control: IteratorControl) => () => void,
  {types = 'message', bufferSize = 1000}: EventIteratorOptions = {},
): AsyncGenerator<MessageEvent, void, undefined> {
  if (!Number.isInteger(bufferSize) || bufferSize < 1)
    throw new HoldfastError('invalid-option', `Invalid iterator option: \`bufferSize\` must be a positive integer`)
  const typeList = typeof types === 'string' ? [types] : types
  // Events arrive in bursts (a chunk's worth at once), so the consumer takes them a batch at a time: shifting them
  // one by one off a long array is quadratic.
  let queue: MessageEvent[] = []
  /** Received and not yet yielded, counting the rest of the batch being yielded. */
  let held = 0
  let consuming = false
  let ended = source.readyState === 2
  let failure: HoldfastError | undefined
  let wake = (): void => {}
  /** While the consumer holds the source's reading: the promise the source waits on, and what resolves it. */
  let paused: Promise<void> | undefined
  let resume = (): void => {}

  const onEvent = (event: MessageEvent): void => {
    if (!consuming && held >= bufferSize) {
      const message = `An iterator that is not being consumed fell ${bufferSize} events behind`
      return end(new HoldfastError('buffer-overflow', message))
    }
    queue.push(event)
    held++
    wake()
  }
  function end(error?: HoldfastError): void {
    if (ended) return
    ended = true
    failure = error
    for (const type of typeList) source.removeEventListener(type, onEvent)
    unregister()
    resume()
    wake()
  }
  const unregister = ended
    ? () => {}
    : register({
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
  if (!ended) for (const type of typeList) source.addEventListener(type, onEvent)

  return (async function* () {
    consuming = true
    try {
      for (;;) {
        while (queue.length) {
          const batch = queue
          queue = []
          for (const event of batch) {
            if (--held <= bufferSize / 2) resume()
            yield event
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
