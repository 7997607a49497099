import type {HoldfastError} from '../errors'
import type {OpenEventInit} from '../events'
import type {NormalizedOptions} from '../options'
import type {TransportChangeReason} from '../polling/transport-change-event'
import {createIdStore, type IdStore} from '../resume'
import type {TransportName} from '../transport-strategy'
import type {EventSourceStats} from '../types'
import {Backlog} from './backlog'
import {Members} from './members'
import type {Batch, Position, Relayed} from './protocol'

/**
 * A shared stream as this tab's instances see it, whichever tab runs the connection: `readyState`, `lastEventId`,
 * `transport` and `stats`, and every delivery to the members, in the order a connection of their own would make it.
 */
export class TabView {
  readonly members = new Members()
  /** What this tab delivered last: for a tab that missed it, and to know what a new leader sends again. */
  readonly backlog = new Backlog()
  readyState: 0 | 1 | 2 = 0
  declare lastEventId: string
  /** How the leader's requests travel (its `transport` strategy's choice); `undefined` until this tab knows. */
  declare transport: TransportName | undefined
  readonly stats: Omit<EventSourceStats, 'lastActivityAt'> & {lastActivityAt: number | undefined} = {
    connections: 0,
    reconnects: 0,
    messages: 0,
    duplicates: 0,
    bytes: 0,
    lastActivityAt: undefined,
  }
  /** What the leader's response said when the stream last opened. */
  declare opened: OpenEventInit | undefined
  /** Where the last batch this tab delivered sits in the relay. */
  position: Position = [0, 0]
  /** Whether a new leader's first messages may still repeat ids this tab delivered. */
  declare catchingUp?: boolean
  /** The `lastEventId` of the last message this tab delivered. */
  #delivered = ''
  readonly #store: IdStore | undefined

  constructor(options: NormalizedOptions) {
    this.#store = options.persist && createIdStore(options.persist)
    this.lastEventId = this.#store?.load() ?? options.lastEventId
  }

  open(response: OpenEventInit): void {
    if (this.readyState === 1) return
    this.readyState = 1
    this.opened = response
    this.stats.connections++
    this.members.each((member) => {
      member.opened = true
      member.sink.open(response)
    })
  }

  /** A network chunk of `bytes` arrived. */
  chunk(bytes: number): void {
    this.stats.bytes += bytes
    this.stats.lastActivityAt = Date.now()
  }

  /** The messages of one relayed batch, at its place in the stream: they came over an open connection. */
  batch(batch: Batch): void {
    const {term, seq, messages, bytes} = batch
    // A batch before its stream's `open` (missed while the page was paused): the last response known stands in.
    this.open(this.opened!)
    for (const message of messages) this.message(message)
    this.position = [term, seq]
    this.backlog.remember(batch)
    this.chunk(bytes)
    // Nothing pauses a shared stream's read: a consumer that fell behind buffers, and its stall guard (armed here)
    // abandons it if it stops taking messages.
    this.members.each(({sink}) => sink.backpressure())
  }

  message(message: Relayed): void {
    const {lastEventId, id} = message
    const seen = lastEventId !== '' && this.backlog.has(lastEventId)
    // After a hand-over, the new leader may get again what this tab delivered (it resumed from an older id than this
    // tab's, or its server replays the resume id itself): a message is a repeat if it carries an id this tab
    // delivered as its own, or one from before this tab's last. An event without an id that follows the last one
    // this tab delivered carries that id, and may be new: delivered (without ids, delivery is at least once).
    if (this.catchingUp && seen && (id !== undefined || lastEventId !== this.#delivered)) {
      this.stats.duplicates++
      return
    }
    if (!seen) this.catchingUp = false
    this.#delivered = lastEventId
    if (lastEventId !== this.lastEventId) {
      this.lastEventId = lastEventId
      this.#store?.save(lastEventId)
    }
    this.stats.messages++
    const {type, data, origin} = message
    // To the members told `open`: one that joins hears the stream from its own `open` event.
    this.members.each((member) => member.opened && member.sink.message(type, data, lastEventId, origin))
  }

  /** A failure the connection recovers from (a fatal one closes the hub). */
  error(error: HoldfastError): void {
    this.readyState = 0
    this.members.each(({sink}) => sink.error(error))
  }

  reconnecting(attempt: number, delay: number, error: HoldfastError): void {
    this.stats.reconnects++
    this.members.each(({sink}) => sink.reconnecting(attempt, delay, error))
  }

  /** The stream travels by `transport` now: told as a change, unless this tab did not know how it travelled. */
  transportIs(transport: TransportName, reason: TransportChangeReason): void {
    const previous = this.transport
    this.transport = transport
    if (previous !== undefined && previous !== transport)
      this.members.each((member) => member.transportChanged(transport, previous, reason))
  }
}
