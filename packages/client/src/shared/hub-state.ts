// The types of a hub's lifecycle: the role it gives its tab, and its states.
import type {Leadership} from './leadership'

/** What a tab does for a shared stream. `solo` is a source that could not share (see `SharedEventSource`). */
export type Role = 'leader' | 'follower' | 'solo'

/**
 * The tab's state for one shared stream. Each state owns its resources (a lock request, a held lock, the
 * leadership with its connection, the one timer), and `setState` releases the previous state's.
 */
export type State =
  /** Waiting in the lock's queue; watching the leader's traffic. */
  | {status: 'follower'; request: number; abort: AbortController; timer?: ReturnType<typeof setTimeout>}
  /** Holds the lock for `term`; collecting what the other tabs saw, before connecting. */
  | {status: 'claiming'; request: number; release: () => void; timer?: ReturnType<typeof setTimeout>}
  /** Holds the lock, and runs and relays the network connection for its term. */
  | {status: 'leader'; request: number; release: () => void; leadership: Leadership}
  /** The page stopped running (back/forward cache, frozen): no lock, no channel, no connection. */
  | {status: 'suspended'}
  | {status: 'closed'}
