import type {ConnectionSink} from '../connection'
import type {HoldfastError} from '../errors'
import type {TransportChangeReason} from '../polling/transport-change-event'
import type {TransportName} from '../transport-strategy'

/** One SharedEventSource of this tab, as the tab's hub sees it. */
export interface Member {
  readonly sink: ConnectionSink
  /** Called after the tab's role changed. */
  readonly roleChanged: () => void
  /** Called after the stream's transport changed. */
  readonly transportChanged: (transport: TransportName, previous: TransportName, reason: TransportChangeReason) => void
  closed: boolean
  /** Told `open`: until then it reads CONNECTING, as a fresh EventSource does before its `open` event. */
  opened?: boolean
}

/**
 * The SharedEventSources of one tab that share a stream, and what each of them is told: the same calls a connection
 * of its own would make, in the same order. A member that closes is left out from then on, even mid-delivery.
 */
export class Members extends Set<Member> {
  /** Calls `call` for every member that has not closed, even one that closes meanwhile is left out from then on. */
  each(call: (member: Member) => unknown): void {
    for (const member of [...this]) if (!member.closed) call(member)
  }

  /** Closes every member: `error`, then `closed`, when the stream failed for good; `closed` alone otherwise. */
  closeAll(error?: HoldfastError): void {
    const members = [...this]
    this.clear()
    for (const member of members) {
      if (member.closed) continue
      member.closed = true
      if (error) member.sink.error(error)
      member.sink.closed(error)
    }
  }
}
