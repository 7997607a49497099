// Type-level tests, compiled by `tsc` in `pnpm typecheck` (this file is not run).
import {EventSource, type HoldfastError, type ReconnectingEvent, type StreamMessage} from '../src/index'

// [spec] The drop-in promise: an instance satisfies the DOM's EventSource interface ...
export const dropIn = new EventSource('https://example.test/feed') satisfies globalThis.EventSource
// ... and so does the class, as a constructor.
export const constructor: typeof globalThis.EventSource = EventSource

// The check can fail: something that lacks close() is not an EventSource.
// @ts-expect-error: close is missing
export const notDropIn = {readyState: 0, url: '', withCredentials: false} satisfies globalThis.EventSource

// Typed listeners for the extensions.
const source = new EventSource('https://example.test/feed')
source.addEventListener('reconnecting', (event) => {
  const attempt: number = event.attempt
  const error: HoldfastError = event.error
  void [attempt, error]
})
source.addEventListener('error', (event) => {
  const code: string = event.error.code
  void code
})
source.onerror = (event) => void event.error?.code
source.onreconnecting = (event: ReconnectingEvent) => void event.delay
source.addEventListener('custom', (event) => void event.data)

// [ext] subscribe and iteration hand out plain StreamMessages, not DOM events.
source.subscribe((message: StreamMessage) => void message.type, {types: ['price']})
export async function iterate(): Promise<void> {
  for await (const message of source) {
    const plain: StreamMessage = message
    // @ts-expect-error: a StreamMessage is plain data, not an Event
    void message.target
    void plain
  }
}
