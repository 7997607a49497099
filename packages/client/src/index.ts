export {EventSource} from './event-source'
export type {HoldfastEventSourceEventMap} from './event-source'
export {ConnectionErrorEvent, ReconnectingEvent} from './events'
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
  StorageLike,
  StreamMessage,
  SubscribeOptions,
} from './types'
export type {TransportName, TransportStrategy} from './transport-strategy'
