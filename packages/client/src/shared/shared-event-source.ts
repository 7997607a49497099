import {startConnection, type Connection} from '../connection'
import {EventSource, START, type HoldfastEventSourceEventMap, type Start} from '../event-source'
import type {NormalizedOptions} from '../options'
import {TransportChangeEvent} from '../polling/transport-change-event'
import type {TransportCounters} from '../transport-strategy'
import type {HoldfastEventSourceInit, MessageMap, MessageType, UntypedMessages} from '../types'
import type {UndeclaredType, EventSourceInitArgs, MessageEventOf} from '../event-map'
import {browserSharing, type SharingEnvironment} from './environment'
import {Hub, type Role} from './hub'
import type {Member} from './members'
import {PROTOCOL} from './protocol'

/** Options for a {@link SharedEventSource}: every `EventSource` option, plus what sharing needs. */
export interface SharedEventSourceInit extends HoldfastEventSourceInit {
  /**
   * Who the stream is for, when the request's headers say it (a user id, say): tabs share a stream only when they
   * give the same `shareKey`, so that one user's tab never receives another's stream. The leader's `headers` are
   * the ones sent. @defaultValue `''`
   */
  shareKey?: string
  /** Where tabs meet: Web Locks, BroadcastChannel and the page lifecycle. A seam for tests. @defaultValue the browser's */
  sharing?: SharingEnvironment
}

/** The events a SharedEventSource fires: an EventSource's, and `rolechange`. */
export interface SharedEventSourceEventMap<
  M extends MessageMap = UntypedMessages,
> extends HoldfastEventSourceEventMap<M> {
  /** [ext] This tab's role changed: read `source.role`. */
  rolechange: Event
}

/** The hubs of each environment: one per stream, shared by every instance of the tab. */
const hubs = new WeakMap<SharingEnvironment, Map<string, Hub>>()

/**
 * The lock and channel name of a stream: the protocol's version, then everything that makes two requests the same
 * stream. `undefined` when the request cannot be shared (a body that is not a string).
 */
function streamName(url: string, options: NormalizedOptions, shareKey?: string): string | undefined {
  const {body} = options
  if (body != null && typeof body !== 'string') return undefined
  const stream = [options.method, url, body ?? null, !!options.withCredentials, String(shareKey ?? '')]
  return `holdfast/v${PROTOCOL}/${JSON.stringify(stream)}`
}

// Typed `addEventListener` overloads (`rolechange`), merged into the class: the inherited method implements them.
export interface SharedEventSource<M extends MessageMap = UntypedMessages> {
  addEventListener<K extends keyof SharedEventSourceEventMap>(
    type: K,
    listener: (this: EventSource<M>, event: SharedEventSourceEventMap<M>[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void
  addEventListener<K extends MessageType<M>>(
    type: K,
    listener: (this: EventSource<M>, event: MessageEventOf<M, K>) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void
  addEventListener(
    type: UndeclaredType<M>,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void
}

/**
 * [ext] An `EventSource` whose stream is shared by every tab of the origin that opens the same one (same method, URL,
 * body, `withCredentials` and `shareKey`): one network connection, run by a leader tab elected with Web Locks and
 * relayed to the others over BroadcastChannel. Every instance sees what a stream of its own would show it: every
 * event type, `lastEventId`, `readyState` and `open`/`error`/`reconnecting`, `stats`, `subscribe()` and iteration.
 * `close()` is local; the last instance to close ends the stream, and a fatal error closes it everywhere. Where Web
 * Locks or BroadcastChannel are missing, or the body is not a string, it runs `solo`: a connection of its own.
 *
 * @example
 * const source = new SharedEventSource('/api/feed', {shareKey: user.id})
 * source.addEventListener('rolechange', () => console.info(source.role))
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class SharedEventSource<M extends MessageMap = UntypedMessages> extends EventSource<M> {
  readonly #role: () => Role

  constructor(url: string | URL, ...init: EventSourceInitArgs<M, SharedEventSourceInit>)
  constructor(url: string | URL, init?: SharedEventSourceInit | null) {
    let role: () => Role = () => 'solo'
    const share: Start = (absolute, options, sink, owner) => {
      // Options that make a connection throw throw here, before any lock is asked for: the `transport` strategy
      // checks the options as it starts, as it will for the leader's connection (which may start much later).
      options.transport?.(absolute, options, {} as TransportCounters, undefined).close()
      const env = init?.sharing ?? browserSharing()
      const name = env && streamName(absolute, options, init?.shareKey)
      // [ext] An aborted signal: a connection that never starts (no lock, no channel, no request).
      if (!env || !name || options.signal?.aborted) return startConnection(absolute, options, sink, owner)
      const member: Member = {
        sink,
        roleChanged: () => this.dispatchEvent(new Event('rolechange')),
        transportChanged: (transport, previous, reason) =>
          this.dispatchEvent(new TransportChangeEvent(transport, previous, reason)),
        closed: false,
      }
      /** Joins the tab's hub of the stream, made if there is none (again after a close: see `reconnect`). */
      const join = (): Hub => {
        const streams = hubs.get(env) ?? new Map<string, Hub>()
        hubs.set(env, streams)
        let hub = streams.get(name)
        if (!hub) {
          hub = new Hub(absolute, options, env, name, () => streams.delete(name))
          streams.set(name, hub)
        }
        member.closed = member.opened = false // CONNECTING until told `open`
        hub.attach(member)
        role = () => hub.role
        return hub
      }
      return memberConnection(join, member)
    }
    // The options of sharing are this class's: the EventSource does not know them (and would warn of them).
    super(url, {...init, shareKey: undefined, sharing: undefined, [START]: share} as never)
    this.#role = () => role()
  }

  /** [ext] This tab's part in the stream: `leader` (it runs the connection), `follower`, or `solo` (no sharing). */
  get role(): Role {
    return this.#role()
  }
}

/** What one instance sees of its tab's hub. */
function memberConnection(join: () => Hub, member: Member): Connection {
  let hub = join()
  return {
    get readyState() {
      // CONNECTING until told `open`, unless the stream failed for good (the tab's instances are told in turn).
      const {readyState} = hub.view
      return member.closed || readyState === 2 ? 2 : member.opened ? readyState : 0
    },
    get lastEventId() {
      return hub.view.lastEventId
    },
    get stats() {
      return {...hub.view.stats}
    },
    get transport() {
      return hub.view.transport
    },
    close() {
      if (member.closed) return
      hub.detach(member)
      member.sink.closed()
    },
    // A closed instance joins the stream again (a new one if no instance of the tab is left on it).
    reconnect() {
      if (member.closed) hub = join()
      else hub.reconnect()
    },
  }
}
