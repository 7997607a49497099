import type {ConnectionSink} from '../connection'
import type {HoldfastError} from '../errors'
import type {OpenEventInit} from '../events'
import type {TransportChangeReason} from '../polling/transport-change-event'
import type {TransportName} from '../transport-strategy'
import type {StreamMessage} from '../types'

/** One SharedEventSource of this tab, as the tab's hub sees it. */
export interface Member {
  readonly sink: ConnectionSink
  /** Called after the tab's role changed. */
  readonly roleChanged: () => void
  /** Called after the stream's transport changed. */
  readonly transportChanged: (transport: TransportName, previous: TransportName, reason: TransportChangeReason) => void
  closed: boolean
}

/**
 * The SharedEventSources of one tab that share a stream, and what each of them is told: the same calls a connection
 * of its own would make, in the same order. A member that closes is left out from then on, even mid-delivery.
 */
export class Members {
  readonly #members = new Set<Member>()

  get size(): number {
    return this.#members.size
  }

  add(member: Member): void {
    this.#members.add(member)
  }

  delete(member: Member): void {
    this.#members.delete(member)
  }

  #each(call: (member: Member) => void): void {
    for (const member of [...this.#members]) if (!member.closed) call(member)
  }

  open(response: OpenEventInit): void {
    this.#each(({sink}) => sink.open(response))
  }

  message({type, data, lastEventId, origin}: StreamMessage): void {
    this.#each(({sink}) => sink.message(type, data, lastEventId, origin))
  }

  error(error: HoldfastError): void {
    this.#each(({sink}) => sink.error(error))
  }

  reconnecting(attempt: number, delay: number, error: HoldfastError): void {
    this.#each(({sink}) => sink.reconnecting(attempt, delay, error))
  }

  roleChanged(): void {
    this.#each((member) => member.roleChanged())
  }

  transportChanged(transport: TransportName, previous: TransportName, reason: TransportChangeReason): void {
    this.#each((member) => member.transportChanged(transport, previous, reason))
  }

  /** The first pause a member's consumer asks for. */
  backpressure(): Promise<void> | undefined {
    for (const member of this.#members) {
      const pause = member.closed ? undefined : member.sink.backpressure()
      if (pause) return pause
    }
  }

  /** Closes every member: `error`, then `closed`, when the stream failed for good; `closed` alone otherwise. */
  closeAll(error?: HoldfastError): void {
    const members = [...this.#members]
    this.#members.clear()
    for (const member of members) {
      if (member.closed) continue
      member.closed = true
      if (error) member.sink.error(error)
      member.sink.closed(error)
    }
  }
}
