// Type-level tests of the typed hooks, compiled by `tsc` in `pnpm typecheck` (this file is not run). Each
// `@ts-expect-error` line fails the build when the typing it checks breaks.
import type {StreamMessage} from '@holdfast/client'
import {expectTypeOf} from 'vitest'
import {useEventSource} from '../src/index'
import {useSharedEventSource} from '../src/shared'

interface Quote {
  symbol: string
  bid: number
}
interface Trade {
  symbol: string
  size: number
}
type Feed = {price: Quote; trade: Trade}
const json = (text: string) => JSON.parse(text) as never

// Declared once, as a hook of its own.
const useFeed = useEventSource.withTypes<Feed>()

export function Component(): void {
  const price = useFeed('/feed', {types: ['price'], parse: json})
  expectTypeOf(price.data).toEqualTypeOf<Quote | undefined>()
  expectTypeOf(price.message).toEqualTypeOf<StreamMessage<'price'> | undefined>()

  const both = useFeed('/feed', {
    types: ['price', 'trade'],
    parse: (text, message) => (message.type === 'price' ? (JSON.parse(text) as Quote) : (JSON.parse(text) as Trade)),
    onMessage: (message) => {
      if (message.type === 'trade') expectTypeOf(message.data).toEqualTypeOf<Trade>()
    },
  })
  expectTypeOf(both.data).toEqualTypeOf<Quote | Trade | undefined>()

  const sizes = useFeed('/feed', {
    types: ['trade'],
    parse: json,
    reducer: (total: number, message) => total + message.data.size,
    initial: 0,
  })
  expectTypeOf(sizes.data).toEqualTypeOf<number>()

  // @ts-expect-error: not a declared type
  useFeed('/feed', {types: ['prise'], parse: json})
  // @ts-expect-error: a Quote needs a parse step
  useFeed('/feed', {types: ['price']})
  // @ts-expect-error: parse returns a string, not a Quote
  useFeed('/feed', {types: ['price'], parse: (text) => text})

  // A stream of strings declares its names alone; every other option is still there.
  const useChat = useEventSource.withTypes<{message: string; typing: string}>()
  const chat = useChat('/chat', {idleTimeout: 30_000, signal: new AbortController().signal})
  expectTypeOf(chat.data).toEqualTypeOf<string | undefined>()

  // The shared hook, with `shareKey`.
  const useSharedFeed = useSharedEventSource.withTypes<Feed>()
  const shared = useSharedFeed('/feed', {shareKey: 'u', types: ['trade'], parse: json})
  expectTypeOf(shared.data).toEqualTypeOf<Trade | undefined>()

  // The plain hook is unchanged.
  const plain = useEventSource('/feed', {onOpen: (event) => void event.type})
  expectTypeOf(plain.data).toEqualTypeOf<string | undefined>()
}
