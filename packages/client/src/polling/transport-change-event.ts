import type {TransportName} from '../transport-strategy'

/** Why a source's transport changed. */
export type TransportChangeReason = 'buffering' | 'retry' | 'online' | 'handover'

/**
 * [ext] `transportchange`: the source's requests now travel another way (`source.transport` already says which).
 * Fired by the strategies of `@holdfast/client/polling`, as the first request of the new transport starts.
 */
export class TransportChangeEvent extends Event {
  /** The transport now in use. */
  declare readonly transport: TransportName
  /** The transport before. */
  declare readonly previous: TransportName
  /**
   * Why: `buffering` (streams delivered nothing before the idle timeout: long polls from now on), `retry` (polling
   * has lasted `retryStreamAfter`: a stream is tried again) or `online` (the device came back online: a stream is
   * tried again); for a `SharedEventSource`, also `handover` (a new leading tab took over, and its strategy
   * chose another transport).
   */
  declare readonly reason: TransportChangeReason
  constructor(transport: TransportName, previous: TransportName, reason: TransportChangeReason) {
    super('transportchange')
    this.transport = transport
    this.previous = previous
    this.reason = reason
  }
}
