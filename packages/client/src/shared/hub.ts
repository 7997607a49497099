import type {HoldfastError} from '../errors'
import type {NormalizedOptions} from '../options'
import {CatchUp} from './catch-up'
import type {SharingEnvironment} from './environment'
import {Leadership, type LeaderTab} from './leadership'
import type {Member} from './members'
import {fromWire, fromWireOpen, isAfter, PROTOCOL, type Batch, type Position, type Said, type Wire} from './protocol'
import {TabView} from './tab-view'

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

/**
 * The tab's state for one shared stream. Each state owns its resources (a lock request, a held lock, the
 * leadership with its connection, the one timer), and `setState` releases the previous state's.
 */
type State =
  /** Waiting in the lock's queue; watching the leader's traffic. */
  | {status: 'follower'; request: number; abort: AbortController; timer?: ReturnType<typeof setTimeout>}
  /** Holds the lock for `term`; collecting what the other tabs saw, before connecting. */
  | {status: 'claiming'; request: number; release: () => void; timer?: ReturnType<typeof setTimeout>}
  /** Holds the lock, and runs and relays the network connection for its term. */
  | {status: 'leader'; request: number; release: () => void; leadership: Leadership}
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
  /** What this tab's instances see of the stream. */
  readonly view: TabView
  #state: State = {status: 'closed'}
  #channel: ReturnType<SharingEnvironment['channel']> | undefined
  /** This tab, and the leader of the newest term this tab knows. */
  readonly #id = randomId()
  #leader = ''
  /** The newest term this tab knows. */
  #term = 0
  /** The newest id and position any tab reported, while claiming. */
  #best: {lastEventId: string; position: Position} = {lastEventId: '', position: [0, 0]}
  /** As a follower: messages missed, and the wait for what the leader answers. */
  readonly #catchUp = new CatchUp()
  /** The term this tab last stole from: at most once per term. */
  #stolenFrom = -1
  #requests = 0
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
    this.view = new TabView(options)
    this.#liveness = this.#leaderLiveness = options.idleTimeout || LIVENESS_DEFAULT
    this.#unsubscribe = env.lifecycle((running) => (running ? this.#resume() : this.#suspend()))
    this.#join()
  }

  get role(): Role {
    return this.#state.status === 'leader' ? 'leader' : 'follower'
  }

  /** Adds an instance of this tab. It hears the stream from now; one that joins an open stream is told `open`. */
  attach(member: Member): void {
    this.view.members.add(member)
    const {readyState, opened} = this.view
    if (readyState === 1 && opened) queueMicrotask(() => !member.closed && member.sink.open(opened))
  }

  /** An instance called `reconnect()`: the leader's connection reconnects now, in this tab or another. */
  reconnect(): void {
    const message = {kind: 'reconnect'} as const
    this.#post(message)
    this.#receive({v: PROTOCOL, ...message})
  }

  /** Removes an instance; the last one to go ends the tab's part in the stream (a leader hands over). */
  detach(member: Member): void {
    member.closed = true
    this.view.members.delete(member)
    if (this.view.members.size === 0) this.#close()
  }

  #setState(next: State): void {
    const previous = this.#state
    const wasLeader = this.role
    this.#state = next
    if ('timer' in previous) clearTimeout(previous.timer)
    if (previous.status === 'follower' && next.status !== 'claiming') previous.abort.abort()
    if (previous.status === 'leader') previous.leadership.close()
    if ('release' in previous && !('release' in next)) previous.release()
    if (this.role !== wasLeader) this.view.members.roleChanged()
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
    this.#catchUp.restart(undefined)
    this.#follow()
    if (again) this.#askAgain()
    else this.#post({kind: 'hello'})
  }

  /** This tab missed messages: it holds back what it hears until the leader's welcome brings what it lacks. */
  #askAgain(): void {
    if (!this.#catchUp.wait(() => this.#welcomed(this.#term, [], false))) return
    this.#post({
      kind: 'hello',
      from: this.#id,
      since: {position: this.view.position, lastEventId: this.view.lastEventId},
    })
  }

  /** What this tab lacked (or nothing, when the wait ended), then what it heard meanwhile: in order, once. */
  #welcomed(term: number, batches: Batch[], complete: boolean): void {
    if (!this.#catchUp.waiting) return
    const held = this.#catchUp.end()
    // Without the whole of it, what follows may repeat what this tab had: dropped by id, as after a hand-over.
    if (!complete) this.view.catchingUp = true
    for (const batch of batches) this.view.batch(term, batch)
    for (const batch of held)
      if (isAfter([batch.term, batch.seq], this.view.position)) this.view.batch(batch.term, batch)
  }

  #suspend(): void {
    if (this.#state.status === 'closed' || this.#state.status === 'suspended') return
    if (this.#state.status === 'leader') this.#state.leadership.relay({kind: 'resign'})
    this.#catchUp.end()
    this.#setState({status: 'suspended'})
    this.#channel?.close()
    this.#channel = undefined
    this.view.readyState = 0
  }

  #close(): void {
    if (this.#state.status === 'closed') return
    if (this.#state.status === 'leader') this.#state.leadership.relay({kind: 'resign'})
    this.#catchUp.end()
    this.#setState({status: 'closed'})
    this.#channel?.close()
    this.#channel = undefined
    this.#unsubscribe()
    this.onClosed()
  }

  /** The stream failed for good: every tab closes, each on its own. */
  /** A failure relayed or met: one the connection recovers from, or (`readyState` 2) the end of the stream. */
  #error(error: HoldfastError, readyState: 0 | 2): void {
    if (readyState === 2) this.#fail(error)
    else this.view.error(error)
  }

  #fail(error: HoldfastError): void {
    this.view.readyState = 2
    this.view.members.closeAll(error)
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
    this.#welcomed(this.#term, [], false)
    const term = ++this.#term
    this.#leader = this.#id
    this.#best = {lastEventId: this.view.lastEventId, position: this.view.position}
    this.view.readyState = 0
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
      this.view.readyState = 0
      this.#follow()
    }
  }

  // ─── Leading ─────────────────────────────────────────────────────────────────────────────────────────────────

  #lead(): void {
    const state = this.#state
    if (state.status !== 'claiming') return
    this.view.lastEventId = this.#best.lastEventId
    const tab: LeaderTab = {
      id: this.#id,
      view: this.view,
      liveness: this.#liveness,
      post: (message) => this.#post(message),
      error: (error, readyState) => this.#error(error, readyState),
    }
    const leadership = new Leadership(this.#term, this.url, this.options, tab)
    this.#setState({status: 'leader', request: state.request, release: state.release, leadership})
    leadership.announce()
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
      if (status === 'leader') this.#state.leadership.welcome(wire.from, wire.since)
      return
    }
    if (wire.kind === 'reconnect') {
      if (status === 'leader') this.#state.leadership.reconnect()
      return
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
      this.#catchUp.restart(0)
      this.#welcomed(this.#term, [], false)
      this.#watch()
      const {lastEventId} = this.view
      return this.#post({kind: 'seen', term: wire.term, lastEventId, position: this.view.position})
    }
    // A number skipped in the term is a message this tab missed (its page was paused); a term first heard of
    // after its claim means the same, for a tab that had followed before.
    if (this.#catchUp.missed(wire.seq, newer && wire.term > 1 && this.view.position[0] > 0)) this.#askAgain()
    this.#watch()
    switch (wire.kind) {
      case 'state':
        // The leader's options set how often it says it is alive: its silence is measured by them.
        this.#leaderLiveness = wire.liveness
        this.#watch()
        this.view.transportIs(wire.transport, 'handover')
        if (wire.readyState === 1 && wire.response) this.view.open(fromWireOpen(wire.response))
        this.view.lastEventId = wire.lastEventId
        return
      case 'transport':
        return this.view.transportIs(wire.transport, wire.reason)
      case 'batch':
        if (!this.#catchUp.hold(wire)) this.view.batch(wire.term, wire)
        return
      case 'welcome':
        if (wire.to === this.#id) this.#welcomed(wire.term, wire.batches, wire.complete)
        return
      case 'open':
        return this.view.open(fromWireOpen(wire.response))
      case 'error':
        return this.#error(fromWire(wire.error), wire.readyState)
      case 'reconnecting':
        return this.view.reconnecting(wire.attempt, wire.delay, fromWire(wire.error))
      case 'connecting':
      case 'resign':
        this.view.readyState = 0
    }
  }

  /** `leader` leads from `term` on: a leader or claimant of an older term steps down at once. */
  #newTerm(term: number, leader: string): void {
    this.#term = term
    this.#catchUp.restart(undefined)
    this.#leader = leader
    this.view.catchingUp = true
    this.view.readyState = 0
    if (this.#state.status === 'leader' || this.#state.status === 'claiming') this.#follow()
  }
}

/** A tab's id on the channel. */
function randomId(): string {
  return globalThis.crypto?.randomUUID?.() ?? String(Math.random()).slice(2)
}
