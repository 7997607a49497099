// Type-level tests of typed streams, the open event, signal and reconnect(), compiled by `tsc` in `pnpm typecheck`
// (this file is not run). Each `@ts-expect-error` line fails the build when the typing it checks breaks.
import {expectTypeOf} from 'vitest'
import {EventSource, OpenEvent, type HoldfastErrorCode, type MessageErrorEvent, type StreamMessage} from '../src/index'
import {events} from '../src/iterate'
import {json, parseWith} from '../src/parse'
import {SharedEventSource} from '../src/shared'

interface Quote {
  symbol: string
  bid: number
}
interface Trade {
  symbol: string
  size: number
}
/** Declared once: the stream's event types and their data. */
type Feed = {price: Quote; trade: Trade}

const feed = new EventSource<Feed>('/feed', {parse: json})

// addEventListener: the declared names, with their data.
feed.addEventListener('price', (event) => expectTypeOf(event.data).toEqualTypeOf<Quote>())
feed.addEventListener('trade', (event) => expectTypeOf(event.data).toEqualTypeOf<Trade>())
// @ts-expect-error: not a declared type
feed.addEventListener('prise', () => {})
// @ts-expect-error: a Quote has no size
feed.addEventListener('price', (event) => event.data.size)
feed.removeEventListener('price', (event) => expectTypeOf(event.data).toEqualTypeOf<Quote>())
// The source's own events stay typed as ever.
feed.addEventListener('error', (event) =>
  expectTypeOf(event.error?.code).toEqualTypeOf<HoldfastErrorCode | undefined>(),
)
feed.addEventListener('messageerror', (event) => {
  if ('error' in event && event.error) expectTypeOf(event).toMatchTypeOf<MessageErrorEvent>()
})

// subscribe({types}): the types checked, the message a union that `type` discriminates.
feed.subscribe(
  (message) => {
    expectTypeOf(message.type).toEqualTypeOf<'price' | 'trade'>()
    if (message.type === 'price') expectTypeOf(message.data).toEqualTypeOf<Quote>()
    else expectTypeOf(message.data).toEqualTypeOf<Trade>()
  },
  {types: ['price', 'trade']},
)
feed.subscribe((message) => expectTypeOf(message).toEqualTypeOf<StreamMessage<'price', Quote>>(), {types: 'price'})
// @ts-expect-error: not a declared type
feed.subscribe(() => {}, {types: ['prise']})

// events(): the same.
export async function iterate(): Promise<void> {
  for await (const message of events(feed, {types: ['trade']})) expectTypeOf(message.data).toEqualTypeOf<Trade>()
  // @ts-expect-error: not a declared type
  events(feed, {types: 'prise'})
}

// The parse step is required when the data is not all strings, and must make the declared data.
// @ts-expect-error: Quote and Trade need a parse step
export const unparsed = new EventSource<Feed>('/feed')
// @ts-expect-error: the step makes a number, which is neither a Quote nor a Trade
export const wrong = new EventSource<Feed>('/feed', {parse: parseWith((data) => data.length)})
// A step of one's own: its function gets the message (with its declared type) and returns that type's data.
export const own = new EventSource<Feed>('/feed', {
  parse: parseWith((data, message) => {
    expectTypeOf(message.type).toEqualTypeOf<'price' | 'trade'>()
    return JSON.parse(data) as Quote
  }),
})
// @ts-expect-error: a plain function is not a parse step (JSON.parse would take the message for a reviver)
export const plainFunction = new EventSource<Feed>('/feed', {parse: JSON.parse})
// A stream of strings declares its names alone.
export const names = new EventSource<{ping: string; pong: string}>('/feed')
names.addEventListener('ping', (event) => expectTypeOf(event.data).toEqualTypeOf<string>())
// @ts-expect-error: not a declared type
names.addEventListener('pang', () => {})

// A stream that declares nothing is as before: any name; lib.dom's `any` data for listeners, strings elsewhere.
const plain = new EventSource('/feed')
plain.addEventListener('anything', (event) => expectTypeOf(event).toEqualTypeOf<MessageEvent>())
plain.subscribe((message) => expectTypeOf(message).toEqualTypeOf<StreamMessage<string, string>>())
export const dropIn = plain satisfies globalThis.EventSource
export const constructor: typeof globalThis.EventSource = EventSource

// SharedEventSource declares its types the same way.
const shared = new SharedEventSource<Feed>('/feed', {shareKey: 'u', parse: json})
shared.addEventListener('price', (event) => expectTypeOf(event.data).toEqualTypeOf<Quote>())
shared.addEventListener('rolechange', (event) => expectTypeOf(event).toEqualTypeOf<Event>())
// @ts-expect-error: not a declared type
shared.addEventListener('prise', () => {})
export const sharedDropIn = new SharedEventSource('/feed') satisfies globalThis.EventSource

// The open event: an OpenEvent to listeners (or a server's own `event: open`), an Event to drop-in handlers.
plain.addEventListener('open', (event) => {
  expectTypeOf(event.status).toEqualTypeOf<number | undefined>()
  if (event instanceof OpenEvent) {
    expectTypeOf(event.headers).toEqualTypeOf<Headers>()
    expectTypeOf(event.transport).toEqualTypeOf<'stream' | 'poll'>()
  }
})
plain.onopen = (event: Event) => void event.type
plain.onopen = (event) => void event.headers?.get('x-request-id')

// signal and reconnect().
export const tied = new EventSource('/feed', {signal: new AbortController().signal})
tied.reconnect()
// @ts-expect-error: a signal, not a controller
export const untied = new EventSource('/feed', {signal: new AbortController()})
