// The types of a source's events and of its constructor: what listeners, handlers and `new` are checked against.
import type {ConnectionErrorEvent, OpenEvent, OpenEventInit, ReconnectingEvent} from './events'
import type {HoldfastError} from './errors'
import type {TransportChangeEvent} from './polling/transport-change-event'
import type {HoldfastEventSourceInit, MessageMap, MessageType, ParseStep, UntypedMessages} from './types'

/**
 * A server may name its own events `error` or `reconnecting` (LLM APIs send `event: error`): they arrive as
 * `MessageEvent`s on the same listeners, without the members of Holdfast's events, which read as `undefined`.
 */
export type ServerNamed<Members> = MessageEvent<string> & {readonly [K in keyof Members]?: undefined}

/**
 * The `messageerror` event: a message whose `parse` step threw, delivered to no listener, subscriber or iterator.
 * `data`, `lastEventId` and `origin` are the message's; `error` is a HoldfastError `invalid-data` naming its type,
 * with what `parse` threw as its `cause`.
 */
export interface MessageErrorEvent extends MessageEvent<string> {
  readonly error: HoldfastError
}

/**
 * The DOM event of a message of type `K`: its declared data, or lib.dom's `any` for a stream that declares no types
 * (so that listeners written for the native class type-check unchanged), or a string for a type not declared.
 */
export type MessageEventOf<M extends MessageMap, K extends string> = MessageEvent<
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  string extends keyof M ? any : K extends keyof M ? M[K] : string
>

/**
 * The events an EventSource fires, for typed `addEventListener`. `open`, `error`, `reconnecting`,
 * `transportchange` and `messageerror` listeners also receive a server's events of those names: tell them apart
 * with `instanceof` (or `event.error`, undefined for a server's). `M` declares the stream's own types.
 */
export interface HoldfastEventSourceEventMap<M extends MessageMap = UntypedMessages> {
  /** [spec] The stream opened. [ext] An {@link OpenEvent}, with what the response said. */
  open: OpenEvent | ServerNamed<OpenEventInit>
  message: MessageEventOf<M, 'message'>
  error: ConnectionErrorEvent | ServerNamed<Omit<ConnectionErrorEvent, keyof Event>>
  /** [ext] */
  reconnecting: ReconnectingEvent | ServerNamed<Omit<ReconnectingEvent, keyof Event>>
  /** [ext] Fired by a `transport` strategy of `@holdfast/client/polling` when `transport` changes. */
  transportchange: TransportChangeEvent | ServerNamed<Omit<TransportChangeEvent, keyof Event>>
  /** [ext] A message whose `parse` step threw. */
  messageerror: MessageErrorEvent | ServerNamed<Pick<MessageErrorEvent, 'error'>>
}

/** The types of event a listener may name beyond those declared: any for a stream that declares none, else none. */
export type UndeclaredType<M extends MessageMap> = string extends keyof M ? string : never

/**
 * The constructor's options: for a declared stream, the `parse` step makes its data, and is required unless the data
 * is all strings.
 */
export type EventSourceInitArgs<
  M extends MessageMap,
  Init extends HoldfastEventSourceInit = HoldfastEventSourceInit,
> = string extends keyof M
  ? [init?: Init | null]
  : [M[MessageType<M>]] extends [string]
    ? [init?: (Omit<Init, 'parse'> & {parse?: ParseStep<NoInfer<M>>}) | null]
    : [init: Omit<Init, 'parse'> & {parse: ParseStep<NoInfer<M>>}]
