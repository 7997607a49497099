export {SharedEventSource} from './shared-event-source'
export type {SharedEventSourceEventMap, SharedEventSourceInit} from './shared-event-source'
export type {ChannelLike, LockManagerLike, SharingEnvironment} from './environment'
export type {Role} from './hub'
