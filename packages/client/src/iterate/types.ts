import type {StreamMessage} from '../types'

/** What an async iterator over an `EventSource` yields and how it buffers. */
export interface EventIteratorOptions {
  /** Event types to yield. @defaultValue `['message']` */
  types?: string | readonly string[]
  /**
   * How far a consumer may fall behind. A loop that is consuming and gets `bufferSize` events behind pauses the
   * source's reading (the server sees TCP backpressure; the idle watchdog waits too) until it has caught up
   * halfway, so at most `bufferSize` events plus one network chunk are held. An iterator that was created but is
   * not being consumed ends with a `buffer-overflow` error once `bufferSize` events wait for it. @defaultValue `1000`
   */
  bufferSize?: number
  /**
   * No consumer can hold the stream for long: one that takes no event for `stallTimeout` ms while the source is
   * paused for it is abandoned: it ends with `buffer-overflow` and the source reads on. @defaultValue `45000`
   */
  stallTimeout?: number
}

/**
 * What `events()` returns, for `for await`: an async iterator of plain {@link StreamMessage}s. `next()` calls made
 * without waiting for the previous one settle in the order they were made, one message each; when the source closes,
 * the first pending one throws its fatal error (if any) and the others settle with `done`. `return()` (what `break`
 * calls) ends it at once, and settles every `next()` still waiting with `done`.
 */
export interface EventIterator extends AsyncIterableIterator<StreamMessage, undefined, undefined> {
  next(): Promise<IteratorResult<StreamMessage, undefined>>
  return(): Promise<IteratorResult<StreamMessage, undefined>>
  [Symbol.asyncIterator](): EventIterator
}
