import {HoldfastError} from './errors'
import type {EventIteratorOptions} from './types'

/** What the iterator needs from its source: listeners, and a way to learn that the source closed. */
export interface IterableSource {
  readonly readyState: number
  addEventListener(type: string, listener: (event: MessageEvent) => void): void
  removeEventListener(type: string, listener: (event: MessageEvent) => void): void
}

/**
 * An async iterator over a source's events. Ends when the source closes; throws the source's fatal error, or a
 * `buffer-overflow` error once more than `bufferSize` events wait for a slow consumer (after yielding those).
 * Breaking out of the loop removes its listeners.
 */
export function iterateEvents(
  source: IterableSource,
  watchClose: (onClose: (error?: HoldfastError) => void) => () => void,
  {types = 'message', bufferSize = 1000}: EventIteratorOptions = {},
): AsyncGenerator<MessageEvent, void, undefined> {
  if (!Number.isInteger(bufferSize) || bufferSize < 1)
    throw new HoldfastError('invalid-option', `Invalid iterator option: \`bufferSize\` must be a positive integer`)
  const typeList = typeof types === 'string' ? [types] : types
  // Events arrive in bursts (a chunk's worth at once, and more chunks while the consumer is still resuming), so
  // the consumer takes them a batch at a time: shifting them one by one off a long array is quadratic.
  let queue: MessageEvent[] = []
  /** Received and not yet yielded, counting the rest of the batch being yielded. */
  let held = 0
  let ended = source.readyState === 2
  let failure: HoldfastError | undefined
  let wake = (): void => {}

  const onEvent = (event: MessageEvent): void => {
    if (held < bufferSize) {
      queue.push(event)
      held++
    } else end(new HoldfastError('buffer-overflow', `The iterator fell more than ${bufferSize} events behind`))
    wake()
  }
  const unwatch = ended ? () => {} : watchClose((error) => end(error))
  function end(error?: HoldfastError): void {
    if (ended) return
    ended = true
    failure = error
    for (const type of typeList) source.removeEventListener(type, onEvent)
    unwatch()
    wake()
  }
  if (!ended) for (const type of typeList) source.addEventListener(type, onEvent)

  return (async function* () {
    try {
      for (;;) {
        while (queue.length) {
          const batch = queue
          queue = []
          for (const event of batch) {
            held--
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
