import {startConnection, type Connection, type ConnectionSink} from '../connection'
import type {HoldfastError} from '../errors'
import type {NormalizedOptions} from '../options'
import type {TransportChangeEvent, TransportChangeReason} from '../polling/transport-change-event'
import type {TransportName} from '../transport-strategy'
import {createIdStore, type IdStore} from '../resume'
import type {EventSourceStats, StreamMessage} from '../types'
import type {SharingEnvironment} from './environment'
import {Members, type Member} from './members'
import {RecentIds} from './recent-ids'
import {
  fromWire,
  isAfter,
  PROTOCOL,
  toWire,
  type Batch,
  type LeaderMessage,
  type Position,
  type Said,
  type Since,
  type Wire,
} from './protocol'

/** What a tab does for a shared stream. `solo` is a source that could not share (see `SharedEventSource`). */
export type Role = 'leader' | 'follower' | 'solo'

/**
 * How long a tab that takes the lock after another leader waits for every tab to say what it saw last, before it
 * connects with the newest Last-Event-ID of them all. Hand-over within about half a second includes it.
 */
export const CLAIM_WINDOW = 100
/** The longest random wait before a follower steals the lock from a silent leader, so that one tab steals first. */
export const STEAL_JITTER = 500
/** The watchdog of a follower when the leader's options disable their own (`idleTimeout: 0`). */
const LIVENESS_DEFAULT = 45_000
/** Ids a tab remembers, to drop what a new leader replays that it already delivered. */
const RECENT_IDS = 256
/** The messages a leader keeps of its latest batches, for a tab that missed them while its page was not running. */
export const BACKLOG = 1024
/** How long a tab that missed messages holds back what it hears, waiting for the leader's welcome. */
export const WELCOME_WAIT = 1000

/**
 * The tab's state for one shared stream. Each state owns its resources (a lock request, a held lock, the
 * connection, the one timer), and `setState` releases the previous state's.
 */
type State =
  /** Waiting in the lock's queue; watching the leader's traffic. */
  | {status: 'follower'; request: number; abort: AbortController; timer?: ReturnType<typeof setTimeout>}
  /** Holds the lock for `term`; collecting what the other tabs saw, before connecting. */
  | {status: 'claiming'; request: number; release: () => void; timer?: ReturnType<typeof setTimeout>}
  /** Holds the lock and runs the network connection, relaying it. `timer` says "alive" when the stream is quiet. */
  | {
      status: 'leader'
      request: number
      release: () => void
      connection: Connection
      timer: ReturnType<typeof setInterval>
    }
  /** The page stopped running (back/forward cache, frozen): no lock, no channel, no connection. */
  | {status: 'suspended'}
  | {status: 'closed'}

/**
 * One stream shared by the tabs of an origin, as one tab runs it: the leader (the holder of a Web Lock) runs the
 * network connection and relays it over a BroadcastChannel, one message per network chunk; followers deliver what
 * it relays. Terms order leaderships: every tab ignores a term older than the newest it knows, so a displaced leader
 * is never heard again. Every instance of this tab that shares the stream is a member.
 */
export class Hub {
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
  #state: State = {status: 'closed'}
  #channel: ReturnType<SharingEnvironment['channel']> | undefined
  /** This tab, and the leader of the newest term this tab knows. */
  readonly #id = randomId()
  #leader = ''
  /** The newest term this tab knows, and the position of the last batch it delivered. */
  #term = 0
  #seq = 0
  #position: Position = [0, 0]
  /** When this tab last relayed, as a leader. */
  #relayedAt = 0
  /** The newest id and position any tab reported, while claiming. */
  #best: {lastEventId: string; position: Position} = {lastEventId: '', position: [0, 0]}
  /** The number of the last message this tab heard in the current term; `undefined` when it joined mid-term. */
  #heard: number | undefined
  /** As a leader: the latest batches of its term, with how many messages they hold and the last seq dropped. */
  #backlog: Batch[] = []
  #backlogSize = 0
  #trimmed = 0
  /** As a leader: the Last-Event-ID its connection started from. */
  #resumedFrom = ''
  /** While this tab waits for the leader's welcome: the batches it hears meanwhile, held back, and the wait. */
  #rejoin: {pending: Array<Batch & {term: number}>; timer: ReturnType<typeof setTimeout>} | undefined
  /** The term this tab last stole from: at most once per term. */
  #stolenFrom = -1
  #requests = 0
  /** Ids delivered lately, and whether a new leader's first messages may still repeat them. */
  readonly #recent = new RecentIds(RECENT_IDS)
  #catchingUp = false
  readonly #store: IdStore | undefined
  /** How long this tab's options let a stream be silent, and how long the current leader's do. */
  readonly #liveness: number
  #leaderLiveness: number
  readonly #unsubscribe: () => void

  constructor(
    readonly url: string,
    readonly options: NormalizedOptions,
    readonly env: SharingEnvironment,
    readonly name: string,
    readonly onClosed: () => void,
  ) {
    this.#store = options.persist && createIdStore(options.persist)
    this.lastEventId = this.#store?.load() ?? options.lastEventId
    this.#liveness = this.#leaderLiveness = options.idleTimeout || LIVENESS_DEFAULT
    this.#unsubscribe = env.lifecycle((running) => (running ? this.#resume() : this.#suspend()))
    this.#join()
  }

  get role(): Role {
    return this.#state.status === 'leader' ? 'leader' : 'follower'
  }

  /** Adds an instance of this tab. It hears the stream from now; one that joins an open stream is told `open`. */
  attach(member: Member): void {
    this.members.add(member)
    if (this.readyState === 1) queueMicrotask(() => !member.closed && member.sink.open())
  }

  /** Removes an instance; the last one to go ends the tab's part in the stream (a leader hands over). */
  detach(member: Member): void {
    member.closed = true
    this.members.delete(member)
    if (this.members.size === 0) this.#close()
  }

  #setState(next: State): void {
    const previous = this.#state
    const wasLeader = this.role
    this.#state = next
    if ('timer' in previous) clearTimeout(previous.timer)
    if (previous.status === 'follower' && next.status !== 'claiming') previous.abort.abort()
    if (previous.status === 'leader') {
      previous.connection.close()
      this.#backlog = []
      this.#backlogSize = this.#trimmed = 0
    }
    if ('release' in previous && !('release' in next)) previous.release()
    if (this.role !== wasLeader) this.members.roleChanged()
  }

  // ─── Joining, leaving, pausing ───────────────────────────────────────────────────────────────────────────────

  #resume(): void {
    if (this.#state.status === 'suspended') this.#join(true)
  }

  /**
   * Opens the channel, queues for the lock and asks the leader, if there is one, how the stream is; `again`, after
   * the page stopped running: what this tab missed meanwhile, too.
   */
  #join(again = false): void {
    this.#channel = this.env.channel(this.name)
    this.#channel.addEventListener('message', ({data}) => this.#receive(data as Wire))
    this.#heard = undefined
    this.#follow()
    if (again) this.#askAgain()
    else this.#post({kind: 'hello'})
  }

  /** This tab missed messages: it holds back what it hears until the leader's welcome brings what it lacks. */
  #askAgain(): void {
    if (this.#rejoin) return
    const timer = setTimeout(() => this.#welcomed(this.#term, [], false), WELCOME_WAIT)
    this.#rejoin = {pending: [], timer}
    this.#post({kind: 'hello', from: this.#id, since: {position: this.#position, lastEventId: this.lastEventId}})
  }

  /** What this tab lacked (or nothing, when the wait ended), then what it heard meanwhile: in order, once. */
  #welcomed(term: number, batches: Batch[], complete: boolean): void {
    const rejoin = this.#rejoin
    if (!rejoin) return
    this.#endRejoin()
    // Without the whole of it, what follows may repeat what this tab had: dropped by id, as after a hand-over.
    if (!complete) this.#catchingUp = true
    for (const batch of batches) this.#deliverBatch(term, batch)
    for (const batch of rejoin.pending)
      if (isAfter([batch.term, batch.seq], this.#position)) this.#deliverBatch(batch.term, batch)
  }

  #endRejoin(): void {
    clearTimeout(this.#rejoin?.timer)
    this.#rejoin = undefined
  }

  #suspend(): void {
    if (this.#state.status === 'closed' || this.#state.status === 'suspended') return
    if (this.#state.status === 'leader') this.#relay({kind: 'resign'})
    this.#endRejoin()
    this.#setState({status: 'suspended'})
    this.#channel?.close()
    this.#channel = undefined
    this.readyState = 0
  }

  #close(): void {
    if (this.#state.status === 'closed') return
    if (this.#state.status === 'leader') this.#relay({kind: 'resign'})
    this.#endRejoin()
    this.#setState({status: 'closed'})
    this.#channel?.close()
    this.#channel = undefined
    this.#unsubscribe()
    this.onClosed()
  }

  /** The stream failed for good: every tab closes, each on its own. */
  #fail(error: HoldfastError): void {
    this.readyState = 2
    this.members.closeAll(error)
    this.#close()
  }

  // ─── The lock ────────────────────────────────────────────────────────────────────────────────────────────────

  /** Queues for the lock (or steals it) as a follower, watching the leader meanwhile. */
  #follow(steal = false): void {
    const request = ++this.#requests
    const abort = new AbortController()
    this.#setState({status: 'follower', request, abort})
    this.#watch()
    const options = steal ? {steal: true} : {signal: abort.signal}
    this.env.locks
      .request(this.name, options, () => new Promise<void>((release) => this.#granted(request, release)))
      .catch(() => this.#lost(request))
  }

  #granted(request: number, release: () => void): void {
    const state = this.#state
    if (state.status !== 'follower' || state.request !== request) return release()
    // What this tab heard while it waited for a welcome is delivered now: it leads from here.
    if (this.#rejoin) this.#welcomed(this.#term, [], false)
    const term = ++this.#term
    this.#leader = this.#id
    this.#seq = 0
    this.#best = {lastEventId: this.lastEventId, position: this.#position}
    this.readyState = 0
    this.#setState({status: 'claiming', request, release})
    // The first leader anyone knows of has nobody to ask; a later one asks every tab what it saw last.
    if (term === 1) return this.#lead()
    this.#post({kind: 'claim', term, from: this.#id})
    ;(this.#state as {timer?: ReturnType<typeof setTimeout>}).timer = setTimeout(() => this.#lead(), CLAIM_WINDOW)
  }

  /** The lock was stolen (or our request aborted): a leader steps down at once, and queues again. */
  #lost(request: number): void {
    const state = this.#state
    if ('release' in state && state.request === request) {
      this.readyState = 0
      this.#follow()
    }
  }

  // ─── Leading ─────────────────────────────────────────────────────────────────────────────────────────────────

  #lead(): void {
    const state = this.#state
    if (state.status !== 'claiming') return
    this.lastEventId = this.#resumedFrom = this.#best.lastEventId
    let batch: StreamMessage[] = []
    let bytes = 0
    const relaySink: ConnectionSink = {
      open: () => {
        this.#deliverOpen()
        this.#relay({kind: 'open'})
      },
      message: (type, data, lastEventId, origin) => {
        const message = {type, data, lastEventId, origin}
        batch.push(message)
        this.#deliver(message)
      },
      error: (error) => {
        const readyState = connection.readyState === 2 ? 2 : 0
        this.#relay({kind: 'error', error: toWire(error), readyState})
        this.#deliverError(error, readyState)
      },
      reconnecting: (attempt, delay, error) => {
        this.#relay({kind: 'reconnecting', attempt, delay, error: toWire(error)})
        this.#deliverReconnecting(attempt, delay, error)
      },
      closed: () => {},
      // Once per network chunk: its messages go to the other tabs in one message.
      backpressure: () => {
        const total = connection.stats.bytes
        this.stats.bytes += total - bytes
        this.stats.lastActivityAt = Date.now()
        const {lastEventId} = this
        if (batch.length) this.#relay({kind: 'batch', messages: batch, lastEventId, bytes: total - bytes})
        // A heartbeat is liveness: relayed now and then, so that a busy network keeps followers from stealing even
        // where a hidden tab's timers are throttled.
        else if (Date.now() - this.#relayedAt > this.#liveness / 3) this.#relay({kind: 'alive'})
        bytes = total
        batch = []
        return this.members.backpressure()
      },
    }
    // The leader's options run the connection, from the newest id any tab saw; persistence is the hub's, and a
    // hidden leader keeps serving the other tabs.
    const options = {
      ...this.options,
      lastEventId: this.lastEventId,
      persist: undefined,
      pauseWhenHidden: false as const,
    }
    // The strategy of the `transport` option fires `transportchange` here, as on a source of its own: relayed.
    const strategyTarget = new EventTarget()
    strategyTarget.addEventListener('transportchange', (event) => {
      const {transport, reason} = event as TransportChangeEvent
      this.#relay({kind: 'transport', transport, reason})
      this.#transportIs(transport, reason)
    })
    const connection = startConnection(this.url, options, relaySink, strategyTarget)
    const timer = setInterval(() => this.#relay({kind: 'alive'}), this.#liveness / 3)
    this.#setState({status: 'leader', request: state.request, release: state.release, connection, timer})
    // This tab's strategy starts afresh: after a hand-over, the stream may travel another way than it did.
    this.#transportIs(connection.transport ?? 'stream', 'handover')
    this.#relayState()
  }

  #relayState(): void {
    const {readyState, lastEventId, stats} = this
    const transport = this.transport ?? 'stream'
    this.#relay({kind: 'state', readyState, lastEventId, stats: {...stats}, liveness: this.#liveness, transport})
  }

  /** Posts a leader's message in its term, in order. */
  #relay(message: LeaderMessage): void {
    const seq = ++this.#seq
    this.#relayedAt = Date.now()
    if (message.kind === 'batch') {
      this.#position = [this.#term, seq]
      const {messages, lastEventId, bytes} = message
      this.#remember({seq, messages, lastEventId, bytes})
    }
    this.#post({...message, term: this.#term, seq, from: this.#id})
  }

  /** Keeps a relayed batch in the backlog, which drops its oldest batches past `BACKLOG` messages. */
  #remember(batch: Batch): void {
    this.#backlog.push(batch)
    this.#backlogSize += batch.messages.length
    while (this.#backlogSize > BACKLOG && this.#backlog.length > 1) {
      const dropped = this.#backlog.shift()!
      this.#backlogSize -= dropped.messages.length
      this.#trimmed = dropped.seq
    }
  }

  /**
   * The batches a tab lacks that last had `since`: in this term, those after its position, as long as the backlog
   * still holds every batch after it; otherwise those after its last id, where the backlog holds that id (or the
   * whole term, when the term resumed from that id); otherwise the whole backlog, incomplete.
   */
  #lacking({position: [term, seq], lastEventId}: Since): {batches: Batch[]; complete: boolean} {
    const backlog = this.#backlog
    if (term === this.#term && seq >= this.#trimmed)
      return {batches: backlog.filter((batch) => batch.seq > seq), complete: true}
    // A tab of an earlier term that had what this term resumed from lacks the whole term.
    if (lastEventId !== '' && lastEventId === this.#resumedFrom && this.#trimmed === 0)
      return {batches: backlog, complete: true}
    for (let index = 0; lastEventId !== '' && index < backlog.length; index++) {
      const batch = backlog[index]!
      const at = batch.messages.findIndex((message) => message.lastEventId === lastEventId)
      if (at === -1) continue
      const rest = {...batch, messages: batch.messages.slice(at + 1)}
      return {batches: [rest, ...backlog.slice(index + 1)], complete: true}
    }
    return {batches: backlog, complete: false}
  }

  #post(message: Said): void {
    this.#channel?.postMessage({v: PROTOCOL, ...message})
  }

  // ─── Following ───────────────────────────────────────────────────────────────────────────────────────────────

  /** (Re)arms the watchdog on the leader: silence for as long as the stream's own watchdog allows is a takeover. */
  #watch(): void {
    const state = this.#state
    if (state.status !== 'follower') return
    clearTimeout(state.timer)
    const term = this.#term
    state.timer = setTimeout(() => {
      if (this.#stolenFrom === term) return this.#watch()
      // Jittered, so that one follower steals first and the others hear its claim.
      state.timer = setTimeout(() => {
        if (this.#state !== state) return
        if (this.#term !== term) return this.#watch()
        this.#stolenFrom = term
        this.#follow(true)
      }, this.env.random() * STEAL_JITTER)
    }, this.#leaderLiveness)
  }

  #receive(wire: Wire): void {
    if (wire?.v !== PROTOCOL || this.#state.status === 'closed') return
    const status = this.#state.status
    if (wire.kind === 'hello') {
      if (status !== 'leader') return
      if (wire.since && wire.from) this.#relay({kind: 'welcome', to: wire.from, ...this.#lacking(wire.since)})
      return this.#relayState()
    }
    if (wire.kind === 'seen') {
      if (status === 'claiming' && wire.term === this.#term && isAfter(wire.position, this.#best.position))
        this.#best = {lastEventId: wire.lastEventId, position: wire.position}
      return
    }
    // A newer term, or a claim to the current one (the last of two simultaneous steals) makes a new leader; any
    // other message must come from the current term's leader: a displaced one is never heard again.
    const newer =
      wire.term > this.#term || (wire.kind === 'claim' && wire.term === this.#term && wire.from !== this.#leader)
    if (newer) this.#newTerm(wire.term, wire.from)
    else if (wire.term < this.#term || wire.from !== this.#leader) return
    if (wire.kind === 'claim') {
      // A claim asks every tab what it saw, this one included: the new leader resumes from there.
      this.#heard = 0
      if (this.#rejoin) this.#welcomed(this.#term, [], false)
      this.#watch()
      const {lastEventId} = this
      return this.#post({kind: 'seen', term: wire.term, lastEventId, position: this.#position})
    }
    // A number skipped in the term is a message this tab missed (its page was paused); a term first heard of
    // after its claim means the same, for a tab that had followed before.
    const heard = this.#heard
    this.#heard = wire.seq
    if (heard === undefined ? newer && wire.term > 1 && this.#position[0] > 0 : wire.seq > heard + 1) this.#askAgain()
    this.#watch()
    switch (wire.kind) {
      case 'state':
        // The leader's options set how often it says it is alive: its silence is measured by them.
        this.#leaderLiveness = wire.liveness
        this.#watch()
        this.#transportIs(wire.transport, 'handover')
        if (wire.readyState === 1) this.#deliverOpen()
        this.lastEventId = wire.lastEventId
        return
      case 'transport':
        return this.#transportIs(wire.transport, wire.reason)
      case 'batch':
        if (this.#rejoin) return void this.#rejoin.pending.push(wire)
        return this.#deliverBatch(wire.term, wire)
      case 'welcome':
        if (wire.to === this.#id) this.#welcomed(wire.term, wire.batches, wire.complete)
        return
      case 'open':
        return this.#deliverOpen()
      case 'error':
        return this.#deliverError(fromWire(wire.error), wire.readyState)
      case 'reconnecting':
        return this.#deliverReconnecting(wire.attempt, wire.delay, fromWire(wire.error))
      case 'resign':
        this.readyState = 0
    }
  }

  /** `leader` leads from `term` on: a leader or claimant of an older term steps down at once. */
  #newTerm(term: number, leader: string): void {
    this.#term = term
    this.#heard = undefined
    this.#leader = leader
    this.#catchingUp = true
    this.readyState = 0
    if (this.#state.status === 'leader' || this.#state.status === 'claiming') this.#follow()
  }

  // ─── What this tab's instances see ───────────────────────────────────────────────────────────────────────────

  #deliverOpen(): void {
    if (this.readyState === 1) return
    this.readyState = 1
    this.stats.connections++
    this.members.open()
  }

  /** The messages of one relayed batch, at its place in the stream. */
  #deliverBatch(term: number, {seq, messages, bytes}: Batch): void {
    for (const message of messages) this.#deliver(message)
    this.#position = [term, seq]
    this.stats.bytes += bytes
    this.stats.lastActivityAt = Date.now()
    void this.members.backpressure() // arms the stall guard of a consumer that stopped; no reading to pause here
  }

  #deliver(message: StreamMessage): void {
    // A new leader resumes from the newest id that any tab reported; what it replays that this tab already had
    // (it missed the claim) is dropped until the first message this tab has not seen.
    if (this.#catchingUp && message.lastEventId !== '' && this.#recent.has(message.lastEventId)) {
      this.stats.duplicates++
      return
    }
    this.#catchingUp = false
    if (message.lastEventId !== this.lastEventId) {
      this.#recent.add(message.lastEventId)
      this.lastEventId = message.lastEventId
      this.#store?.save(message.lastEventId)
    }
    this.stats.messages++
    this.members.message(message)
  }

  #deliverError(error: HoldfastError, readyState: 0 | 2): void {
    if (readyState === 2) return this.#fail(error)
    this.readyState = 0
    this.members.error(error)
  }

  /** The stream travels by `transport` now: told as a change, unless this tab did not know how it travelled. */
  #transportIs(transport: TransportName, reason: TransportChangeReason): void {
    const previous = this.transport
    this.transport = transport
    if (previous !== undefined && previous !== transport) this.members.transportChanged(transport, previous, reason)
  }

  #deliverReconnecting(attempt: number, delay: number, error: HoldfastError): void {
    this.stats.reconnects++
    this.members.reconnecting(attempt, delay, error)
  }
}

/** A tab's id on the channel. */
function randomId(): string {
  return globalThis.crypto?.randomUUID?.() ?? String(Math.random()).slice(2)
}
