export {resetStreams} from './registry'
export {useEventSource} from './use-event-source'
export type {
  CreateEventSource,
  EventSourceLike,
  EventSourceResult,
  MessageReducer,
  ParsedMessage,
  ReconnectInfo,
  StreamStatus,
  UseEventSourceOptions,
  UseEventSourceReducerOptions,
} from './types'
