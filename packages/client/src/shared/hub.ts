import type {HoldfastError} from '../errors'
import type {NormalizedOptions} from '../options'
import {CatchUp, late} from './catch-up'
import {randomId, type SharingEnvironment} from './environment'
import {handOver, Leadership, type LeaderTab} from './leadership'
import type {Member} from './members'
import {CLAIM_WINDOW, LIVENESS_DEFAULT, PROTOCOL, STEAL_JITTER} from './protocol'
import {fromWire, fromWireOpen, isAfter, toWire, type Batch, type Position, type Said, type Wire} from './protocol'
import {TabView} from './tab-view'
import type {Role, State} from './hub-state'

export type {Role} from './hub-state'

/**
 * One stream shared by the tabs of an origin, as one tab runs it: the leader (the holder of a Web Lock) runs the
 * network connection and relays it over a BroadcastChannel, one message per network chunk; followers deliver what
 * it relays. Terms order leaderships: every tab ignores a term older than the newest it knows, so a displaced leader
 * is never heard again. Every instance of this tab that shares the stream is a member.
 */
export class Hub {
  /** What this tab's instances see of the stream. */
  declare readonly view: TabView
  #state: State = {status: 'closed'}
  #channel: ReturnType<SharingEnvironment['channel']> | undefined
  /** This tab, and the leader of the newest term this tab knows. */
  readonly #id = randomId()
  #leader = ''
  /** The newest term this tab knows. */
  #term = 0
  /** The term before it, and its leader: their last batches may reach this tab after the new term began. */
  #previous: [term: number, leader: string] = [0, '']
  /** The newest id and position any tab reported, while claiming. */
  #best!: {lastEventId: string; position: Position}
  /** As a follower: messages missed, and the wait for what the leader answers. */
  readonly #catchUp = new CatchUp()
  /** The term this tab last stole from: at most once per term. */
  #stolenFrom = -1
  #requests = 0
  /** How long this tab's options let a stream be silent, and how long the current leader's do. */
  readonly #liveness: number
  #leaderLiveness: number
  readonly #unsubscribe: () => void
  readonly #url: string
  readonly #options: NormalizedOptions
  readonly #env: SharingEnvironment
  readonly #name: string
  readonly #onClosed: () => void

  constructor(url: string, options: NormalizedOptions, env: SharingEnvironment, name: string, onClosed: () => void) {
    this.#url = url
    this.#options = options
    this.#env = env
    this.#name = name
    this.#onClosed = onClosed
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
    queueMicrotask(() => {
      if (member.closed || member.opened || this.view.readyState !== 1) return
      member.opened = true
      member.sink.open(this.view.opened!) // set as the view opened
    })
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
    if (!this.view.members.size) this.#close()
  }

  #setState(next: State): void {
    const previous = this.#state
    const wasLeader = this.role
    this.#state = next
    clearTimeout((previous as {timer?: ReturnType<typeof setTimeout>}).timer)
    if (previous.status === 'follower' && next.status !== 'claiming') previous.abort.abort()
    if (previous.status === 'leader') previous.leadership.close()
    if ('release' in previous && !('release' in next)) previous.release()
    if (this.role !== wasLeader) this.view.members.each((member) => member.roleChanged())
  }

  // ─── Joining, leaving, pausing ───────────────────────────────────────────────────────────────────────────────
  #resume(): void {
    if (this.#state.status === 'suspended') this.#join(true)
  }

  /**
   * Opens the channel, queues for the lock and asks the leader, if there is one, how the stream is; `again`, after
   * the page stopped running: what this tab missed meanwhile, too.
   */
  #join(again?: boolean): void {
    this.#channel = this.#env.channel(this.#name)
    this.#channel.addEventListener('message', ({data}) => this.#receive(data as Wire))
    this.#catchUp.restart()
    this.#follow()
    if (again) this.#askAgain()
    else this.#post({kind: 'hello'})
  }

  /** This tab missed messages: it holds back what it hears until the leader's welcome brings what it lacks. */
  #askAgain(): void {
    if (!this.#catchUp.wait(() => this.#welcomed())) return
    const since = {position: this.view.position, lastEventId: this.view.lastEventId}
    this.#post({kind: 'hello', from: this.#id, since})
  }

  /** What this tab lacked (or nothing, when the wait ended), then what it heard meanwhile: in order, once. */
  #welcomed(batches: Batch[] = [], complete?: boolean): void {
    const held = this.#catchUp.end()
    if (!held) return
    // Without the whole of it, what follows may repeat what this tab had: dropped by id, as after a hand-over.
    if (!complete) this.view.catchingUp = true
    for (const batch of [...batches, ...held])
      if (isAfter([batch.term, batch.seq], this.view.position)) this.view.batch(batch)
  }

  #suspend(): void {
    if (this.#state.status === 'closed' || this.#state.status === 'suspended') return
    this.#leave('suspended')
    this.view.readyState = 0
    // Its leadership ended: back, it follows whichever tab leads, even one that numbered its term the same.
    if (this.#leader === this.#id) this.#leader = ''
  }

  #close(): void {
    if (this.#state.status === 'closed') return
    this.#leave('closed')
    this.#unsubscribe()
    this.#onClosed()
  }

  /** No lock, no channel, no wait: the page stopped running, or the tab's part in the stream ended. */
  #leave(status: 'suspended' | 'closed'): void {
    this.#catchUp.end()
    this.#setState({status})
    this.#channel?.close()
    this.#channel = undefined
  }

  /** A failure relayed or met: one the connection recovers from, or (`readyState` 2) the end of the stream. */
  #error(error: HoldfastError, readyState: 0 | 2): void {
    if (readyState === 2) this.#fail(error)
    else this.view.error(error)
  }

  #fail(error: HoldfastError): void {
    // The tab leaves the stream first: a source that a listener opens below starts a fresh one.
    this.#close()
    this.view.readyState = 2
    this.view.members.closeAll(error)
  }

  // ─── The lock ────────────────────────────────────────────────────────────────────────────────────────────────
  /** Queues for the lock (or steals it) as a follower, watching the leader meanwhile. */
  #follow(steal?: boolean): void {
    const request = ++this.#requests
    const abort = new AbortController()
    this.#setState({status: 'follower', request, abort})
    this.#watch()
    const options = steal ? {steal: true} : {signal: abort.signal}
    this.#env.locks
      .request(this.#name, options, () => new Promise<void>((release) => this.#granted(request, release, steal)))
      .catch(() => {
        // The lock was stolen (or the request aborted): a leader steps down at once, and queues again.
        const state = this.#state
        if ('release' in state && state.request === request) this.#follow()
      })
  }

  #granted(request: number, release: () => void, stolen?: boolean): void {
    const state = this.#state
    if (state.status !== 'follower' || state.request !== request) return release()
    // What this tab heard while it waited for a welcome is delivered now: it leads from here.
    this.#welcomed()
    const known = this.#term
    this.#previous = [known, this.#leader]
    // Terms number leaderships in the order they began, whatever each tab knew: a tab that knew none (it joined
    // while the only other tab was in the back/forward cache, say) must not reuse the number of one that comes back.
    const term = (this.#term = Math.max(known + 1, Date.now()))
    this.#leader = this.#id
    this.#best = this.view // what this tab delivers, until another tab reports more
    this.#setState({status: 'claiming', request, release})
    // A tab that knows of no leader before it has nobody to ask; a later one, or one that stole the lock from a
    // leader it never heard, asks every tab what it saw last.
    if (!known && !stolen) return this.#lead()
    // Its connection may get again what this tab delivered: dropped by id, as in the other tabs.
    this.view.catchingUp = true
    this.#post({kind: 'claim', term, from: this.#id})
    ;(this.#state as {timer?: ReturnType<typeof setTimeout>}).timer = setTimeout(() => this.#handOver(), CLAIM_WINDOW)
  }

  /** The claim ends: this tab leads, where it may send the request again (see `handOver`), or ends the stream. */
  #handOver(): void {
    const state = this.#state
    void handOver(this.#url, this.#options).then((error) => {
      if (this.#state !== state) return
      if (!error) return this.#lead()
      this.#post({kind: 'error', error: toWire(error), readyState: 2, term: this.#term, seq: 1, from: this.#id})
      this.#fail(error)
    })
  }

  #lead(): void {
    const state = this.#state
    if (state.status !== 'claiming') return
    // The newest id any tab reported, or this tab's own, when the old leader's last batches reached it late.
    if (isAfter(this.#best.position, this.view.position)) this.view.lastEventId = this.#best.lastEventId
    const tab: LeaderTab = {
      id: this.#id,
      view: this.view,
      liveness: this.#liveness,
      post: (message) => this.#post(message),
      error: (error, readyState) => this.#error(error, readyState),
    }
    const leadership = new Leadership(this.#term, this.#url, this.#options, tab)
    this.#setState({status: 'leader', request: state.request, release: state.release, leadership})
    leadership.announce()
  }

  #seen(): void {
    const {lastEventId, position} = this.view
    this.#post({kind: 'seen', term: this.#term, lastEventId, position})
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
      }, this.#env.random() * STEAL_JITTER)
    }, this.#leaderLiveness)
  }

  #receive(wire: Wire): void {
    const status = this.#state.status
    if (wire?.v !== PROTOCOL || status === 'closed') return
    if (wire.kind === 'hello') {
      // The leader answers; any other tab says its term and last id, which one that knew none takes (see `seen`).
      if (status === 'leader') this.#state.leadership.welcome(wire.from, wire.since)
      else if (this.#term) this.#seen()
      return
    }
    if (wire.kind === 'reconnect') {
      if (status === 'leader') this.#state.leadership.reconnect()
      return
    }
    if (wire.kind === 'seen') {
      if (status === 'claiming' && wire.term === this.#term && isAfter(wire.position, this.#best.position))
        this.#best = wire
      // A tab that joined while no leader answered (paused, or gone) knows there was one: it will claim after it.
      if (!this.#term) {
        this.#term = wire.term
        this.view.lastEventId = wire.lastEventId
      }
      return
    }
    // A newer term, or a claim to the current one (the last of two simultaneous steals), or any message of the
    // current term when this tab knows no leader of it, makes a new leader; any other message must come from the
    // current term's leader: a displaced one is never heard again.
    const newer =
      wire.term > this.#term ||
      (wire.term === this.#term && wire.from !== this.#leader && (wire.kind === 'claim' || !this.#leader))
    if (newer) this.#newTerm(wire.term, wire.from)
    else if (wire.term < this.#term || wire.from !== this.#leader) {
      if (late(wire, this.#previous, this.view.position, this.#term)) this.view.batch(wire)
      return
    }
    if (wire.kind === 'claim') {
      // A claim asks every tab what it saw, this one included: the new leader resumes from there.
      this.#catchUp.restart(0)
      this.#welcomed()
      this.#watch()
      return this.#seen()
    }
    // A number skipped in the term is a message this tab missed (its page was paused); a term first heard of
    // after its claim means the same, for a tab that had followed before.
    if (this.#catchUp.missed(wire.seq, newer && this.view.position[0] > 0)) this.#askAgain()
    this.#watch()
    switch (wire.kind) {
      case 'state':
        // The leader's options set how often it says it is alive: its silence is measured by them.
        this.#leaderLiveness = wire.liveness
        this.#watch()
        this.view.transportIs(wire.transport, 'handover')
        if (wire.readyState === 1) this.view.open(fromWireOpen(wire.response!)) // set while open
        this.view.lastEventId = wire.lastEventId
        return
      case 'transport':
        return this.view.transportIs(wire.transport, wire.reason)
      case 'batch':
        if (!this.#catchUp.hold(wire)) this.view.batch(wire)
        return
      case 'welcome':
        if (wire.to === this.#id) this.#welcomed(wire.batches, wire.complete)
        return
      case 'open':
        return this.view.open(fromWireOpen(wire.response))
      case 'error':
        return this.#error(fromWire(wire.error), wire.readyState)
      case 'reconnecting':
        return this.view.reconnecting(wire.attempt, wire.delay, fromWire(wire.error))
      case 'connecting':
        this.view.readyState = 0
    }
  }

  /** `leader` leads from `term` on: a leader or claimant of an older term steps down at once. */
  #newTerm(term: number, leader: string): void {
    if (term > this.#term) this.#previous = [this.#term, this.#leader]
    this.#term = term
    this.#catchUp.restart()
    this.#leader = leader
    this.view.catchingUp = true
    if (this.#state.status === 'leader' || this.#state.status === 'claiming') this.#follow()
  }
}
