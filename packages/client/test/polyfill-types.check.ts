// Type-level test of the polyfill entry, compiled by `tsc` in `pnpm typecheck` (not run): once it is imported, the
// global EventSource takes Holdfast's options and has its extensions.
import '../src/polyfill'

const source = new EventSource('https://example.test/feed', {
  headers: async () => ({Authorization: 'Bearer x'}),
  idleTimeout: 30_000,
  // @ts-expect-error: still checked: an option's type
  retryDelay: 'soon',
})
export const unsubscribe: () => void = source.subscribe(({type, data}) => void [type, data], {types: ['price']})
export const id: string = source.lastEventId
export const messages: number = source.stats.messages
export const native: typeof EventSource | undefined = globalThis.NativeEventSource
