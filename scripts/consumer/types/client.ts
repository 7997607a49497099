import {EventSource, HoldfastError, defaultOptions, type HoldfastEventSourceInit} from '@holdfast/client'

const init: HoldfastEventSourceInit = {idleTimeout: defaultOptions.idleTimeout, headers: {Authorization: 'Bearer x'}}
export const source = new EventSource('https://example.test/feed', init)
source.addEventListener('reconnecting', (event) => console.info(event.attempt, event.delay))
source.onerror = (event) => {
  if (HoldfastError.is(event.error)) console.info(event.error.code)
}
// @ts-expect-error the URL is a string or a URL: the declarations are read, not `any`
new EventSource(42)
