import type {Fault, FaultSource, FaultTarget} from '../types.js'

/** One injected fault, shared by the registry and the connections it is armed on. */
export interface FaultEntry {
  readonly id: string
  readonly fault: Fault
  readonly target: FaultTarget
  readonly via: FaultSource
  /** Connections it may still be applied to; `Infinity` for no limit. */
  pending: number
  /** Ids of the connections it fired on, in order. */
  readonly firedOn: string[]
  readonly createdAt: number
  /**
   * Events still to count before it fires, handed back by a long poll that ended before the fault fired there: the
   * next connection that takes the fault goes on counting from here instead of from `after`.
   */
  carriedAfter?: number | undefined
  /** A query fault's key (channel, URL fault and `faultKey`), which counts the connections it was applied to. */
  queryKey?: string
}
