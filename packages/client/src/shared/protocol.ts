import {HoldfastError, type HoldfastErrorCode} from '../errors'
import type {OpenEventInit} from '../events'
import type {TransportChangeReason} from '../polling/transport-change-event'
import type {TransportName} from '../transport-strategy'
import type {StreamMessage} from '../types'

/**
 * The version of the messages tabs exchange. It is part of every lock and channel name, so that two deployed
 * versions of an app elect their own leaders and never read each other's messages; a message of another version
 * that reaches a channel anyway is ignored.
 */
export const PROTOCOL = 1

/**
 * How long a tab that takes the lock after another leader waits for every tab to say what it saw last, before it
 * connects with the newest Last-Event-ID of them all. Hand-over within about half a second includes it.
 */
export const CLAIM_WINDOW = 100
/** The longest random wait before a follower steals the lock from a silent leader, so that one tab steals first. */
export const STEAL_JITTER = 500
/** The watchdog of a follower when the leader's options disable their own (`idleTimeout: 0`). */
export const LIVENESS_DEFAULT = 45_000

/** Where a relayed message sits in the stream: its leadership term, then its number within the term. */
export type Position = readonly [term: number, seq: number]

/** A HoldfastError as it crosses a BroadcastChannel (structured clone keeps no class, and no `Headers`). */
export interface WireError {
  code: HoldfastErrorCode
  message: string
  url?: string
  status?: number
  retryAfter?: number
  body?: string
  headers?: Array<[string, string]>
}

/** A message as the leader relays it: `id` is the event's own `id:` field, when it had one. */
export type Relayed = StreamMessage & {id?: string}

/** What the leader's response said when its stream opened, as it crosses a BroadcastChannel (no `Headers`). */
export type WireOpen = Omit<OpenEventInit, 'headers'> & {headers: Array<[string, string]>}

/** The messages of one network chunk as the leader relayed them: its place in the stream, and its size. */
export interface Batch {
  term: number
  seq: number
  messages: Relayed[]
  lastEventId: string
  bytes: number
}

/** What a tab that missed messages last had: the position of its last batch, and its last event id. */
export interface Since {
  position: Position
  lastEventId: string
}

/** What the leader says about the stream. */
export type LeaderMessage =
  /**
   * The stream as it is now: to a tab that joined, or after a takeover; how long the leader may stay silent (its
   * watchdog's time: it says it is alive three times as often); and how its requests travel.
   */
  | {
      kind: 'state'
      readyState: 0 | 1 | 2
      lastEventId: string
      liveness: number
      transport: TransportName
      /** What the response said, while the stream is open. */
      response: WireOpen | undefined
    }
  /** The messages of one network chunk, and its size. */
  | ({kind: 'batch'} & Omit<Batch, 'term' | 'seq'>)
  /** The leader's `transport` strategy switched: its requests travel another way from now on. */
  | {kind: 'transport'; transport: TransportName; reason: TransportChangeReason}
  /**
   * To one tab that missed messages (its page was frozen, paused or hidden in the back/forward cache): the batches
   * of the leader's backlog that it lacks, oldest first. `complete`: they follow on from what it had; otherwise
   * some came before the backlog, or before this term, and are lost to it.
   */
  | {kind: 'welcome'; to: string; batches: Batch[]; complete: boolean}
  /** The leader is alive (a heartbeat, or a quiet stream). */
  | {kind: 'alive'}
  | {kind: 'open'; response: WireOpen}
  /** An instance asked to reconnect: the leader's connection drops its attempt and connects again now. */
  | {kind: 'connecting'}
  | {kind: 'error'; error: WireError; readyState: 0 | 2}
  | {kind: 'reconnecting'; attempt: number; delay: number; error: WireError}

/** What a message on the channel says. */
export type Said =
  /** `from` is the leader's tab: two tabs that stole the lock at once may claim the same term, and the last wins. */
  | (LeaderMessage & {term: number; seq: number; from: string})
  /**
   * A tab joined: the leader answers with `state`. `since`: the tab joins again after missing messages (`from` is
   * the tab), and the leader first answers with a `welcome` of what it lacks.
   */
  | {kind: 'hello'; from?: string; since?: Since}
  /** A tab took the lock for `term`: every tab answers with what it saw last. */
  | {kind: 'claim'; term: number; from: string}
  | {kind: 'seen'; term: number; lastEventId: string; position: Position}
  /** An instance of a following tab called `reconnect()`: the leader reconnects. */
  | {kind: 'reconnect'}

/** Every message on the channel: what it says, and the protocol's version. */
export type Wire = {v: typeof PROTOCOL} & Said

/** `headers` as they cross a channel: pairs (structured clone keeps no `Headers`). */
const wireHeaders = <T extends {headers?: Headers}>(value: T) => ({
  ...value,
  headers: value.headers && [...value.headers],
})

/** `headers` back from the pairs. */
const unwireHeaders = <T extends {headers?: Array<[string, string]>}>(wire: T) => ({
  ...wire,
  headers: wire.headers && new Headers(wire.headers),
})

/** Its own enumerable members (not `cause`, which the constructor keeps non-enumerable), and its message. */
export const toWire = (error: HoldfastError): WireError => ({...wireHeaders(error), message: error.message})

export function fromWire(wire: WireError): HoldfastError {
  const {code, message, ...details} = unwireHeaders(wire)
  return new HoldfastError(code, message, details)
}

export const toWireOpen = wireHeaders as (response: OpenEventInit) => WireOpen

export const fromWireOpen = unwireHeaders as (wire: WireOpen) => OpenEventInit

/** Whether `a` comes after `b`. */
export function isAfter(a: Position, b: Position): boolean {
  return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])
}
