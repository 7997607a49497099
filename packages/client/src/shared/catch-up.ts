import {isAfter, type Batch, type Position, type Wire} from './protocol'

/** How long a tab that missed messages holds back what it hears, waiting for the leader's welcome. */
export const WELCOME_WAIT = 1000

/**
 * A follower's watch for messages it missed (its page was frozen, paused or in the back/forward cache), and its
 * wait for the leader's answer, during which the batches it hears are held back, to follow what the answer brings.
 */
export class CatchUp {
  /** The number of the last message heard in the current term; `undefined` when not known (joined mid-term). */
  #heard: number | undefined
  #wait: {held: Batch[]; timer: ReturnType<typeof setTimeout>} | undefined

  /** Numbers start over: a new channel or term (`undefined`), or a term whose claim this tab heard (0). */
  restart(heard?: 0): void {
    this.#heard = heard
  }

  /**
   * Whether message `seq` of the current term shows that messages were missed: a number skipped, or, when the
   * previous number is not known, `startMissed` (the tab heard of the term after its start).
   */
  missed(seq: number, startMissed: boolean): boolean {
    const heard = this.#heard
    this.#heard = seq
    return heard === undefined ? startMissed : seq > heard + 1
  }

  /** Starts waiting for the answer, `onTimeout` after `WELCOME_WAIT`; false when already waiting. */
  wait(onTimeout: () => void): boolean {
    if (this.#wait) return false
    this.#wait = {held: [], timer: setTimeout(onTimeout, WELCOME_WAIT)}
    return true
  }

  /** Holds `batch` back while waiting: true when held. */
  hold(batch: Batch): boolean {
    return !!this.#wait?.held.push(batch) // a length, 1 or more
  }

  /** Ends the wait and releases its timer: the batches held back, in the order heard; `undefined` if none began. */
  end(): Batch[] | undefined {
    const wait = this.#wait
    this.#wait = undefined
    clearTimeout(wait?.timer)
    return wait?.held
  }
}

/**
 * Whether `wire`, a message of an earlier term than `term`, the newest this tab knows, is a batch to deliver: the
 * leader of the term before (`previous`) relayed its last batches before the new term began, but they may reach this
 * tab after the claim (the browser orders neither the messages of different tabs nor a message and a lock's grant,
 * and a claimant may hear them after its grant). They are delivered, in order, until this tab (at `position`)
 * delivers the new term's first batch; what the new leader's connection gets again is dropped by id.
 */
export function late(
  wire: Wire,
  [term, leader]: [number, string],
  position: Position,
  current: number,
): wire is Wire & Batch {
  return (
    wire.kind === 'batch' &&
    wire.term === term &&
    wire.from === leader &&
    position[0] < current &&
    isAfter([term, wire.seq], position)
  )
}
