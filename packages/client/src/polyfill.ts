/**
 * Side-effect entry: `import '@holdfast/client/polyfill'` installs Holdfast's EventSource as
 * `globalThis.EventSource`, for apps and third-party code that use the global. The platform's own class, where
 * there is one, stays reachable as `globalThis.NativeEventSource`.
 */
import {EventSource} from './event-source'
import type {EventSourceStats, HoldfastEventSourceInit, StreamMessage, SubscribeOptions} from './types'

/**
 * What the polyfill adds to the global types: Holdfast's options on the global `EventSource`'s constructor, and its
 * extensions on instances, so that `new EventSource(url, {headers})` type-checks on the global. (The DOM's own
 * declarations stay; these merge into them.)
 */
declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EventSourceInit extends HoldfastEventSourceInit {}
  interface EventSource {
    /** [ext] The id that the next (re)connection sends as Last-Event-ID. */
    readonly lastEventId: string
    /** [ext] A snapshot of the counters. */
    readonly stats: EventSourceStats
    /** [ext] A plain callback for every message (of `types`); returns the function that unsubscribes. */
    subscribe(listener: (message: StreamMessage) => void, options?: SubscribeOptions): () => void
  }
  /** The platform's own EventSource, where there was one before the polyfill replaced it. */
  var NativeEventSource: typeof globalThis.EventSource | undefined
}

const scope = globalThis as {EventSource?: unknown; NativeEventSource?: unknown}
if (scope.EventSource !== EventSource) {
  if (scope.EventSource !== undefined && scope.NativeEventSource === undefined)
    scope.NativeEventSource = scope.EventSource
  scope.EventSource = EventSource
}

export {EventSource}
