export {EventSource} from './event-source'
export type {
  EventSourceInitArgs,
  HoldfastEventSourceEventMap,
  MessageErrorEvent,
  MessageEventOf,
  UndeclaredType,
} from './event-map'
export {ConnectionErrorEvent, OpenEvent, ReconnectingEvent} from './events'
export type {OpenEventInit} from './events'
export {HoldfastError} from './errors'
export type {HoldfastErrorCode, HoldfastErrorDetails} from './errors'
export {defaultOptions} from './options'
export type {
  Environment,
  EventSourceStats,
  HeadersContext,
  HeadersOption,
  HoldfastEventSourceInit,
  LastEventIdTransport,
  MessageMap,
  MessageOf,
  MessageType,
  Parser,
  ParseStep,
  StorageLike,
  StreamMessage,
  SubscribeOptions,
  UntypedMessages,
} from './types'
export type {TransportName, TransportStrategy} from './transport-strategy'
