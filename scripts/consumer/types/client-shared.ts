import {SharedEventSource} from '@holdfast/client/shared'

export const source = new SharedEventSource('https://example.test/feed', {idleTimeout: 45_000})
source.onmessage = (event) => console.info(event.data)
// @ts-expect-error the URL is a string or a URL
new SharedEventSource(42)
