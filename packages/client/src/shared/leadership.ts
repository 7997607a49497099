import {startConnection, type Connection, type ConnectionSink} from '../connection'
import type {HoldfastError} from '../errors'
import type {NormalizedOptions} from '../options'
import type {TransportChangeEvent} from '../polling/transport-change-event'
import type {StreamMessage} from '../types'
import {Backlog} from './backlog'
import {toWire, toWireOpen, type LeaderMessage, type Said, type Since} from './protocol'
import type {TabView} from './tab-view'

/** What a leadership needs from its tab. */
export interface LeaderTab {
  readonly id: string
  readonly view: TabView
  /** How long the stream may be silent: the leader says it is alive three times as often. */
  readonly liveness: number
  post(message: Said): void
  /** A failure of the connection: one it recovers from, or (`readyState` 2) the end of the stream. */
  error(error: HoldfastError, readyState: 0 | 2): void
}

/**
 * One leadership term of a tab: the network connection it runs, from the newest Last-Event-ID any tab saw, and
 * the relay of it to the other tabs, every message numbered in the term: the events of each network chunk in one
 * message, the connection's events, "alive" when the stream is quiet, and a backlog of the latest batches for a tab
 * that missed them. Its own tab's instances hear it all through the tab's view.
 */
export class Leadership {
  #seq = 0
  #relayedAt = 0
  readonly #backlog: Backlog
  readonly #connection: Connection
  readonly #timer: ReturnType<typeof setInterval>

  constructor(
    readonly term: number,
    url: string,
    options: NormalizedOptions,
    readonly tab: LeaderTab,
  ) {
    const {view, liveness} = tab
    this.#backlog = new Backlog(term, view.lastEventId)
    let batch: StreamMessage[] = []
    let bytes = 0
    const sink: ConnectionSink = {
      open: (response) => {
        view.open(response)
        this.relay({kind: 'open', response: toWireOpen(response)})
      },
      message: (type, data, lastEventId, origin) => {
        const message = {type, data: data as string, lastEventId, origin} // the connection's: no parse step here
        batch.push(message)
        view.message(message)
      },
      error: (error) => {
        const readyState = connection.readyState === 2 ? 2 : 0
        this.relay({kind: 'error', error: toWire(error), readyState})
        tab.error(error, readyState)
      },
      reconnecting: (attempt, delay, error) => {
        this.relay({kind: 'reconnecting', attempt, delay, error: toWire(error)})
        view.reconnecting(attempt, delay, error)
      },
      closed: () => {},
      // Once per network chunk: its messages go to the other tabs in one message.
      backpressure: () => {
        const total = connection.stats.bytes
        view.chunk(total - bytes)
        const {lastEventId} = view
        if (batch.length) this.relay({kind: 'batch', messages: batch, lastEventId, bytes: total - bytes})
        // A heartbeat is liveness: relayed now and then, so that a busy network keeps followers from stealing even
        // where a hidden tab's timers are throttled.
        else if (Date.now() - this.#relayedAt > liveness / 3) this.relay({kind: 'alive'})
        bytes = total
        batch = []
        return view.members.backpressure()
      },
    }
    // Persistence is the tab's, a hidden leader keeps serving the other tabs, and a member's `signal` is its own.
    const leaderOptions = {
      ...options,
      signal: undefined,
      lastEventId: view.lastEventId,
      persist: undefined,
      pauseWhenHidden: false as const,
    }
    // The strategy of the `transport` option fires `transportchange` here, as on a source of its own: relayed.
    const strategyTarget = new EventTarget()
    strategyTarget.addEventListener('transportchange', (event) => {
      const {transport, reason} = event as TransportChangeEvent
      this.relay({kind: 'transport', transport, reason})
      view.transportIs(transport, reason)
    })
    const connection = startConnection(url, leaderOptions, sink, strategyTarget)
    this.#connection = connection
    this.#timer = setInterval(() => this.relay({kind: 'alive'}), liveness / 3)
  }

  /** Once the tab leads: tells it and the others how the stream stands. */
  announce(): void {
    // This tab's strategy starts afresh: after a hand-over, the stream may travel another way than it did.
    this.tab.view.transportIs(this.#connection.transport ?? 'stream', 'handover')
    this.relayState()
  }

  /** Posts a message of this term, numbered in order; a batch is kept in the backlog. */
  relay(message: LeaderMessage): void {
    const seq = ++this.#seq
    this.#relayedAt = Date.now()
    if (message.kind === 'batch') {
      this.tab.view.position = [this.term, seq]
      const {messages, lastEventId, bytes} = message
      this.#backlog.remember({seq, messages, lastEventId, bytes})
    }
    this.tab.post({...message, term: this.term, seq, from: this.tab.id})
  }

  /** The stream as it is now, for a tab that joined (and, after a takeover, for all). */
  relayState(): void {
    const {readyState, lastEventId, stats, transport = 'stream', opened} = this.tab.view
    const response = opened && toWireOpen(opened) // read by a tab that joins an open stream
    const {liveness} = this.tab
    this.relay({kind: 'state', readyState, lastEventId, stats: {...stats}, liveness, transport, response})
  }

  /** An instance of some tab called `reconnect()`: every tab is CONNECTING until the new connection's `open`. */
  reconnect(): void {
    this.tab.view.readyState = 0
    this.relay({kind: 'connecting'})
    this.#connection.reconnect()
  }

  /** A tab joined; `since`: it joins again after missing messages, and is first told what it lacks. */
  welcome(from: string | undefined, since: Since | undefined): void {
    if (from && since) this.relay({kind: 'welcome', to: from, ...this.#backlog.lacking(since)})
    this.relayState()
  }

  /** The term ends: the connection and the alive timer are released. */
  close(): void {
    clearInterval(this.#timer)
    this.#connection.close()
  }
}
