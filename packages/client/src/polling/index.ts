/**
 * `@holdfast/client/polling`: long polling for networks whose proxies buffer streamed responses. A separate entry,
 * so that apps that only stream do not pay for it: `new EventSource(url, {transport: autoTransport()})`.
 */
export {autoTransport} from './auto-transport'
export {pollTransport} from './poll-transport'
export {transportDefaults} from './options'
export type {AutoTransportOptions, PollTransportOptions} from './options'
export {TransportChangeEvent} from './transport-change-event'
export type {TransportChangeReason} from './transport-change-event'
export type {TransportCounters, TransportDriver, TransportName, TransportStrategy} from '../transport-strategy'
