import type {HoldfastError} from '../errors'
import type {OpenEventInit} from '../events'
import type {NormalizedOptions} from '../options'
import type {TransportChangeReason} from '../polling/transport-change-event'
import {createIdStore, type IdStore} from '../resume'
import type {TransportName} from '../transport-strategy'
import type {EventSourceStats, StreamMessage} from '../types'
import {Members} from './members'
import type {Batch, Position} from './protocol'
import {RecentIds} from './recent-ids'

/** Ids a tab remembers, to drop what a new leader replays that it already delivered. */
const RECENT_IDS = 256

/**
 * A shared stream as this tab's instances see it, whichever tab runs the connection: `readyState`, `lastEventId`,
 * `transport` and `stats`, and every delivery to the members, in the order a connection of their own would make it.
 */
export class TabView {
  readonly members = new Members()
  readyState: 0 | 1 | 2 = 0
  lastEventId: string
  /** How the leader's requests travel (its `transport` strategy's choice); `undefined` until this tab knows. */
  transport: TransportName | undefined
  readonly stats: Omit<EventSourceStats, 'lastActivityAt'> & {lastActivityAt: number | undefined} = {
    connections: 0,
    reconnects: 0,
    messages: 0,
    duplicates: 0,
    bytes: 0,
    lastActivityAt: undefined,
  }
  /** What the leader's response said when the stream last opened. */
  opened: OpenEventInit | undefined
  /** Where the last batch this tab delivered sits in the relay. */
  position: Position = [0, 0]
  /** Whether a new leader's first messages may still repeat ids this tab delivered. */
  catchingUp = false
  readonly #recent = new RecentIds(RECENT_IDS)
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
    this.members.open(response)
  }

  /** A network chunk of `bytes` arrived. */
  chunk(bytes: number): void {
    this.stats.bytes += bytes
    this.stats.lastActivityAt = Date.now()
  }

  /** The messages of one relayed batch, at its place in the stream. */
  batch(term: number, {seq, messages, bytes}: Batch): void {
    for (const message of messages) this.message(message)
    this.position = [term, seq]
    this.chunk(bytes)
    void this.members.backpressure() // arms the stall guard of a consumer that stopped; no reading to pause here
  }

  message(message: StreamMessage): void {
    // A new leader resumes from the newest id that any tab reported; what it replays that this tab already had
    // (it missed the claim) is dropped until the first message this tab has not seen.
    if (this.catchingUp && message.lastEventId !== '' && this.#recent.has(message.lastEventId)) {
      this.stats.duplicates++
      return
    }
    this.catchingUp = false
    if (message.lastEventId !== this.lastEventId) {
      this.#recent.add(message.lastEventId)
      this.lastEventId = message.lastEventId
      this.#store?.save(message.lastEventId)
    }
    this.stats.messages++
    this.members.message(message)
  }

  /** A failure the connection recovers from (a fatal one closes the hub). */
  error(error: HoldfastError): void {
    this.readyState = 0
    this.members.error(error)
  }

  reconnecting(attempt: number, delay: number, error: HoldfastError): void {
    this.stats.reconnects++
    this.members.reconnecting(attempt, delay, error)
  }

  /** The stream travels by `transport` now: told as a change, unless this tab did not know how it travelled. */
  transportIs(transport: TransportName, reason: TransportChangeReason): void {
    const previous = this.transport
    this.transport = transport
    if (previous !== undefined && previous !== transport) this.members.transportChanged(transport, previous, reason)
  }
}
