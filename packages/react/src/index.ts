export {resetStreams} from './registry'
export {useEventSource} from './use-event-source'
export type {
  CreateEventSource,
  EventSourceLike,
  EventSourceResult,
  MessageReducer,
  ParsedMessage,
  ParsedMessageOf,
  ReconnectInfo,
  StreamStatus,
  TypedOptions,
  TypedUseEventSource,
  UseEventSourceOptions,
  UseEventSourceReducerOptions,
} from './types'
