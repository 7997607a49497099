import {HoldfastError} from './errors'
import type {EventIteratorOptions} from './types'

/** What the iterator needs from its source: listeners, and a way to learn that the source closed. */
export interface IterableSource {
  addEventListener(type: string, listener: (event: MessageEvent) => void): void
  removeEventListener(type: string, listener: (event: MessageEvent) => void): void
}

type Ending = {error: HoldfastError | undefined}
type Pending = {resolve: (result: IteratorResult<MessageEvent>) => void; reject: (error: unknown) => void}

const DONE: IteratorResult<MessageEvent> = {done: true, value: undefined}

/**
 * An async iterator over a source's events. Ends when the source closes; throws the source's fatal error, or a
 * `buffer-overflow` error once more than `bufferSize` events wait for a slow consumer (after yielding those).
 * Breaking out of the loop removes its listeners.
 */
export function iterateEvents(
  source: IterableSource,
  watchClose: (onClose: (error: HoldfastError | undefined) => void) => () => void,
  closedAlready: boolean,
  options: EventIteratorOptions = {},
): AsyncIterableIterator<MessageEvent> {
  const types = typeof options.types === 'string' ? [options.types] : (options.types ?? ['message'])
  const bufferSize = options.bufferSize ?? 1000
  if (!Number.isInteger(bufferSize) || bufferSize < 1)
    throw new HoldfastError(
      'invalid-option',
      `Invalid iterator option: \`bufferSize\` must be a positive integer, got ${String(bufferSize)}`,
    )

  const buffer: MessageEvent[] = []
  let pending: Pending | undefined
  let ending: Ending | undefined
  let unwatch = (): void => {}

  const onEvent = (event: MessageEvent): void => {
    if (ending) return
    if (pending) {
      const waiter = pending
      pending = undefined
      waiter.resolve({done: false, value: event})
    } else if (buffer.length < bufferSize) {
      buffer.push(event)
    } else {
      const message = `The async iterator fell more than ${bufferSize} events behind; consume faster or raise bufferSize`
      end(new HoldfastError('buffer-overflow', message))
    }
  }

  function end(error: HoldfastError | undefined): void {
    if (ending) return
    ending = {error}
    for (const type of types) source.removeEventListener(type, onEvent)
    unwatch()
    if (pending) {
      const waiter = pending
      pending = undefined
      ending.error = undefined
      if (error) waiter.reject(error)
      else waiter.resolve(DONE)
    }
  }

  if (closedAlready) {
    ending = {error: undefined}
  } else {
    for (const type of types) source.addEventListener(type, onEvent)
    unwatch = watchClose(end)
  }

  return {
    next() {
      const event = buffer.shift()
      if (event) return Promise.resolve({done: false, value: event})
      if (ending) {
        const {error} = ending
        ending.error = undefined // thrown once, then done
        return error ? Promise.reject(error) : Promise.resolve(DONE)
      }
      return new Promise((resolve, reject) => {
        pending = {resolve, reject}
      })
    },
    return() {
      buffer.length = 0
      end(undefined)
      if (ending) ending.error = undefined
      return Promise.resolve(DONE)
    },
    [Symbol.asyncIterator]() {
      return this
    },
  }
}
