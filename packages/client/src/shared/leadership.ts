import {startConnection, type Connection, type ConnectionSink} from '../connection'
import {HoldfastError} from '../errors'
import type {NormalizedOptions} from '../options'
import {decideRetry} from '../retry-policy'
import type {TransportChangeEvent} from '../polling/transport-change-event'
import {toWire, toWireOpen, type LeaderMessage, type Relayed, type Said, type Since} from './protocol'
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
  readonly #connection: Connection
  readonly #timer: ReturnType<typeof setInterval>
  readonly #term: number
  readonly #tab: LeaderTab

  constructor(term: number, url: string, options: NormalizedOptions, tab: LeaderTab) {
    this.#term = term
    this.#tab = tab
    const {view, liveness} = tab
    let batch: Relayed[] = []
    let bytes = 0
    /**
     * The messages of the chunk read so far go to the other tabs in one message, then to this tab's instances, as a
     * follower's get them: what this tab's listeners do (close the last instance, say) never keeps them from the
     * others, and a consumer here that falls behind never holds the network read for them (it buffers).
     */
    const relayBatch = (): void => {
      const size = connection.stats.bytes - bytes
      bytes += size
      if (batch.length) this.relay({kind: 'batch', messages: batch, lastEventId: connection.lastEventId, bytes: size})
      else {
        view.chunk(size)
        // A heartbeat is liveness: relayed now and then, so that a busy network keeps followers from stealing even
        // where a hidden tab's timers are throttled.
        if (Date.now() - this.#relayedAt > liveness / 3) this.relay({kind: 'alive'})
      }
      batch = []
    }
    const sink: ConnectionSink = {
      open: (response) => {
        view.open(response)
        this.relay({kind: 'open', response: toWireOpen(response)})
      },
      // The connection's data: no parse step here (each instance applies its own).
      message: (type, data, lastEventId, origin, id) =>
        void batch.push({type, data: data as string, lastEventId, origin, id}),
      error: (error) => {
        relayBatch() // what the chunk brought before the failure comes first
        const readyState = connection.readyState === 2 ? 2 : 0
        this.relay({kind: 'error', error: toWire(error), readyState})
        tab.error(error, readyState)
      },
      reconnecting: (attempt, delay, error) => {
        this.relay({kind: 'reconnecting', attempt, delay, error: toWire(error)})
        view.reconnecting(attempt, delay, error)
      },
      closed: () => {},
      // Once per network chunk. Nothing pauses a shared stream's read.
      backpressure: () => void relayBatch(),
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
    this.#tab.view.transportIs(this.#connection.transport ?? 'stream', 'handover')
    this.relayState()
  }

  /** Posts a message of this term, numbered in order; a batch is delivered in this tab too. */
  relay(message: LeaderMessage): void {
    const seq = ++this.#seq
    this.#relayedAt = Date.now()
    this.#tab.post({...message, term: this.#term, seq, from: this.#tab.id})
    if (message.kind === 'batch') this.#tab.view.batch({...message, term: this.#term, seq})
  }

  /** The stream as it is now, for a tab that joined (and, after a takeover, for all). */
  relayState(): void {
    const {readyState, lastEventId, transport = 'stream', opened} = this.#tab.view
    const response = opened && toWireOpen(opened) // read by a tab that joins an open stream
    const {liveness} = this.#tab
    this.relay({kind: 'state', readyState, lastEventId, liveness, transport, response})
  }

  /** An instance of some tab called `reconnect()`: every tab is CONNECTING until the new connection's `open`. */
  reconnect(): void {
    this.#tab.view.readyState = 0
    this.relay({kind: 'connecting'})
    this.#connection.reconnect()
  }

  /** A tab joined; `since`: it joins again after missing messages, and is first told what it lacks. */
  welcome(from: string | undefined, since: Since | undefined): void {
    if (from && since) this.relay({kind: 'welcome', to: from, ...this.#tab.view.backlog.lacking(since)})
    this.relayState()
  }

  /** The term ends: the connection and the alive timer are released. */
  close(): void {
    clearInterval(this.#timer)
    this.#connection.close()
  }
}

/**
 * Whether a new leader may send the stream's request again, which an earlier leader sent: where a reconnection would
 * (a GET, `retryNonGet`, or what `shouldRetry` says, asked with a `stream-ended` error). Resolves with that error when
 * it may not: the stream ends.
 */
export async function handOver(url: string, options: NormalizedOptions): Promise<HoldfastError | undefined> {
  const error = new HoldfastError('stream-ended', `The tab that ran ${url} went away`, {url})
  return (await decideRetry(error, 1, options)) ? undefined : error
}
