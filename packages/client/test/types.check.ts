// Type-level tests, compiled by `tsc` in `pnpm typecheck` (this file is not run).
import {
  ConnectionErrorEvent,
  EventSource,
  ReconnectingEvent,
  type HoldfastError,
  type StreamMessage,
} from '../src/index'
import {events} from '../src/iterate'
import {autoTransport, pollTransport, TransportChangeEvent, type TransportName} from '../src/polling'
import {SharedEventSource} from '../src/shared'

// [spec] The drop-in promise: an instance satisfies the DOM's EventSource interface ...
export const dropIn = new EventSource('https://example.test/feed') satisfies globalThis.EventSource
// ... and so does the class, as a constructor.
export const constructor: typeof globalThis.EventSource = EventSource

// The check can fail: something that lacks close() is not an EventSource.
// @ts-expect-error: close is missing
export const notDropIn = {readyState: 0, url: '', withCredentials: false} satisfies globalThis.EventSource

// Typed listeners for the extensions.
const source = new EventSource('https://example.test/feed')
// A server may send its own `event: error` or `event: reconnecting`: the types say so, and narrowing tells them apart.
source.addEventListener('reconnecting', (event) => {
  // @ts-expect-error: a server-named `reconnecting` event has no attempt
  const unchecked: number = event.attempt
  if (event instanceof ReconnectingEvent) {
    const attempt: number = event.attempt
    const error: HoldfastError = event.error
    void [attempt, error]
  } else {
    const data: string = event.data
    void data
  }
  void unchecked
})
source.addEventListener('error', (event) => {
  // @ts-expect-error: a server-named `error` event has no HoldfastError
  void event.error.code
  const code: string | undefined = event.error?.code
  const status: number | undefined = event.code // [ext] as the `eventsource` package's ErrorEvent
  if (event instanceof ConnectionErrorEvent) {
    const message: string = event.message
    const error: HoldfastError = event.error
    void [message, error]
  }
  void [code, status]
})
source.onerror = (event) => void [event.error?.code, event.code, event.message]
source.onreconnecting = (event) => void (event instanceof ReconnectingEvent && event.delay)
source.addEventListener('custom', (event) => void event.data)

// [ext] subscribe and iteration hand out plain StreamMessages, not DOM events.
source.subscribe((message: StreamMessage) => void message.type, {types: ['price']})
export async function iterate(): Promise<void> {
  for await (const message of events(source)) {
    const plain: StreamMessage = message
    // @ts-expect-error: a StreamMessage is plain data, not an Event
    void message.target
    void plain
  }
}

// [ext] SharedEventSource is a drop-in as well, and types its role and `rolechange`.
export const shared = new SharedEventSource('https://example.test/feed', {
  shareKey: 'user-1',
}) satisfies globalThis.EventSource
const role: 'leader' | 'follower' | 'solo' = shared.role
shared.addEventListener('rolechange', (event) => void [event.type, role])
shared.addEventListener('price', (event) => void event.data)

// [ext] The transport: what `source.transport` holds, and `transportchange` (a server may name one of its own so).
const polled = new EventSource('https://example.test/feed', {transport: autoTransport({pollTimeout: 20_000})})
const transport: TransportName = polled.transport
polled.addEventListener('transportchange', (event) => {
  // @ts-expect-error: a server-named `transportchange` event has no reason
  const unchecked: string = event.reason
  if (event instanceof TransportChangeEvent) {
    const now: TransportName = event.transport
    const reason: 'buffering' | 'retry' | 'online' | 'handover' = event.reason
    void [now, reason, event.previous]
  }
  void unchecked
})
// @ts-expect-error: the transport option takes a strategy, not a name
export const named = new EventSource('https://example.test/feed', {transport: 'poll'})
export const forced = new EventSource('https://example.test/feed', {transport: pollTransport()})
void transport
