import type {CloseReason, FaultSource, FaultType, HttpProtocol, Transport} from './types.js'

/**
 * Plain counters, bumped on the hot path with a property increment; `/metrics` reads them when scraped, so a
 * broadcast to 10 000 clients costs no metric-library calls.
 */
export class Stats {
  connectionsOpened = 0
  eventsPublished = 0
  eventsSent = 0
  eventsReplayed = 0
  heartbeats = 0
  /** Bytes written by connections that already closed; open ones are summed when scraped. */
  closedBytes = 0
  readonly disconnects = new Map<CloseReason, number>()
  readonly faults = new Map<`${FaultType} ${FaultSource}`, number>()
  /** Streams and long polls opened (answered 200), by transport and HTTP protocol. */
  readonly opened = new Map<`${Transport} ${HttpProtocol}`, number>()

  streamOpened(transport: Transport, protocol: HttpProtocol): void {
    this.connectionsOpened++
    const key = `${transport} ${protocol}` as const
    this.opened.set(key, (this.opened.get(key) ?? 0) + 1)
  }

  disconnected(reason: CloseReason): void {
    this.disconnects.set(reason, (this.disconnects.get(reason) ?? 0) + 1)
  }

  faultInjected(type: FaultType, via: FaultSource): void {
    const key = `${type} ${via}` as const
    this.faults.set(key, (this.faults.get(key) ?? 0) + 1)
  }
}
