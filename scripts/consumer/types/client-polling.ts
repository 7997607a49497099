import {EventSource} from '@holdfast/client'
import {autoTransport, pollTransport, TransportChangeEvent} from '@holdfast/client/polling'

export const auto = new EventSource('https://example.test/feed', {transport: autoTransport()})
auto.addEventListener('transportchange', (event) => console.info(event instanceof TransportChangeEvent))
export const poll = new EventSource('https://example.test/feed', {transport: pollTransport()})
// @ts-expect-error a strategy is made by autoTransport() or pollTransport()
new EventSource('https://example.test/feed', {transport: 'poll'})
