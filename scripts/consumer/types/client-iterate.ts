import {EventSource} from '@holdfast/client'
import {events, type EventIterator} from '@holdfast/client/iterate'

export async function first(url: string): Promise<string | undefined> {
  const messages: EventIterator = events(new EventSource(url), {types: ['message', 'price']})
  for await (const message of messages) return message.data
  return undefined
}
// @ts-expect-error events() takes a source
events('https://example.test/feed')
