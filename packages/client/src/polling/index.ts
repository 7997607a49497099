/**
 * `@holdfast/client/polling`: long polling for networks whose proxies buffer streamed responses. A separate entry,
 * so that apps that only stream do not pay for it: `new EventSource(url, {transport: autoTransport()})`.
 */
export {autoTransport, MAX_RETRY_STREAM_AFTER} from './auto-transport'
export {pollTransport} from './poll-transport'
export {MIN_EMPTY_POLL} from './attempts'
export {MIN_POLL_TIMEOUT, transportDefaults} from './options'
export type {AutoTransportOptions, PollTransportOptions} from './options'
export {POLL_TIMEOUT_PARAM, TRANSPORT_PARAM} from './poll-url'
export {TransportChangeEvent} from './transport-change-event'
export type {TransportChangeReason} from './transport-change-event'
export type {TransportCounters, TransportDriver, TransportName, TransportStrategy} from '../transport-strategy'
