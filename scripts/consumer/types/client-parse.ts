import {EventSource} from '@holdfast/client'
import {json, parseWith} from '@holdfast/client/parse'

interface Quote {
  symbol: string
  bid: number
}

export const quotes = new EventSource<{message: Quote}>('https://example.test/quotes', {parse: json})
quotes.addEventListener('message', (event) => console.info(event.data.bid.toFixed(2)))
export const shout = new EventSource<{message: string}>('https://example.test/feed', {
  parse: parseWith<{message: string}>((text) => text.toUpperCase()),
})
// @ts-expect-error a parse step is made by parseWith() or is json, not a plain function
new EventSource('https://example.test/feed', {parse: (text: string) => text})
