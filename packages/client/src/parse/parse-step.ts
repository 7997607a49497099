import {HoldfastError} from '../errors'
import {StreamEvent} from '../events'
import type {ParseStepOf} from '../options'
import type {MessageMap, Parser, ParseStep} from '../types'

/**
 * [ext] A parse step of your own, for the `parse` option: `fn` makes the data of every message, once, before any
 * listener, subscriber or iterator sees it (they all get what it made). A message it throws on is delivered to none of
 * them: it fires `messageerror` on the source instead, a `MessageEvent` with the message's `data`, `lastEventId` and
 * `origin`, and `error`, a HoldfastError `invalid-data` naming the message's type, whose `cause` is what `fn` threw.
 * The stream goes on.
 * @example
 * const parse = parseWith<Feed>((data, {type}) => schemas[type].parse(JSON.parse(data)))
 * const feed = new EventSource<Feed>('/feed', {parse})
 */
export function parseWith<M extends MessageMap = MessageMap>(fn: Parser<M>): ParseStep<M> {
  const step: ParseStepOf = {
    wrap: (sink, source) => ({
      ...sink,
      message(type, data, lastEventId, origin) {
        let parsed: unknown
        try {
          parsed = fn(data as string, {type, data: data as string, lastEventId, origin})
        } catch (cause) {
          // [ext] Reported as an error of this message, never thrown into the stream.
          const {url} = source
          const error = new HoldfastError('invalid-data', `Could not parse a \`${type}\` event of ${url}`, {url, cause})
          const event = Object.assign(new StreamEvent('messageerror', data, lastEventId, origin), {error})
          return void source.dispatchEvent(event)
        }
        sink.message(type, parsed, lastEventId, origin)
      },
    }),
  }
  return step as unknown as ParseStep<M>
}

/** [ext] The parse step of a stream of JSON: `JSON.parse` for every message (`{parse: json}`). */
export const json: ParseStep<never> = /* @__PURE__ */ parseWith((data) => JSON.parse(data) as never)
