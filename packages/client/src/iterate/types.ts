import type {StreamMessage} from '../types'

/** What an async iterator over an `EventSource` yields and how it buffers. */
export interface EventIteratorOptions<Type extends string = string> {
  /** Event types to yield (for a declared stream, among its types). @defaultValue `['message']` */
  types?: Type | readonly Type[]
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
 * What `events()` returns, for `for await`: an async iterator of plain {@link StreamMessage}s (of a declared stream,
 * the union of its chosen types, which `type` discriminates). `next()` calls made without waiting for the previous one
 * settle in the order they were made, one message each; when the source closes, the first pending one throws its
 * error (if any) and the others settle with `done`. `return()` (what `break` calls) ends it at once, and settles every
 * `next()` still waiting with `done`.
 */
export interface EventIterator<T = StreamMessage> extends AsyncIterableIterator<T, undefined, undefined> {
  next(): Promise<IteratorResult<T, undefined>>
  return(): Promise<IteratorResult<T, undefined>>
  [Symbol.asyncIterator](): EventIterator<T>
}
