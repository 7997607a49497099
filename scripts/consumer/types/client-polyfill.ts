import '@holdfast/client/polyfill'

// The polyfill's declarations add Holdfast's options and extensions to the global class.
export const source = new globalThis.EventSource('https://example.test/feed', {headers: {Authorization: 'Bearer x'}})
export const stop: () => void = source.subscribe((message) => console.info(message.data))
// @ts-expect-error an unknown extension
source.reconnectNow()
