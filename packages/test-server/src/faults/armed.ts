import type {FaultEntry} from './entry.js'

interface Armed {
  readonly entry: FaultEntry
  /** Events still to go out before it fires. */
  remaining: number
}

/** A mid-event drop does not fire after its count: it waits for the next event, to cut it in half. */
function cutsAnEvent(entry: FaultEntry): boolean {
  return entry.fault.type === 'drop' && entry.fault.midEvent === true
}

/**
 * The faults armed on one stream, counting down the events it sends: each fires once `after` more events went out,
 * in arming order; a mid-event drop then waits for the event it cuts.
 */
export class ArmedFaults {
  #armed: Armed[] = []

  /**
   * Arms `entry`; false when it is due at once, for the stream to fire now. A count handed back by a long poll
   * (`carriedAfter`) is taken over, and taken away from the entry.
   */
  add(entry: FaultEntry): boolean {
    const fault = entry.fault
    const after = 'after' in fault && fault.after !== undefined ? fault.after : 0
    const remaining = entry.carriedAfter ?? after
    entry.carriedAfter = undefined
    if (remaining === 0 && !cutsAnEvent(entry)) return false
    this.#armed.push({entry, remaining})
    return true
  }

  /** The mid-event drop due on the event about to go out, if any, disarmed. */
  takeCut(): FaultEntry | undefined {
    const due = this.#armed.find((armed) => armed.remaining === 0)
    if (due) this.#armed = this.#armed.filter((armed) => armed !== due)
    return due?.entry
  }

  /** One event went out: counts every fault down and returns those now due, disarmed, in arming order. */
  countDown(): FaultEntry[] {
    const due: FaultEntry[] = []
    for (const armed of this.#armed) {
      armed.remaining--
      if (armed.remaining === 0 && !cutsAnEvent(armed.entry)) due.push(armed.entry)
    }
    if (due.length) this.#armed = this.#armed.filter((armed) => !due.includes(armed.entry))
    return due
  }

  /** Disarms every fault, returning each with the events it still had to count (a long poll hands them back). */
  takeAll(): Array<{entry: FaultEntry; remaining: number}> {
    const armed = this.#armed.map(({entry, remaining}) => ({entry, remaining}))
    this.#armed = []
    return armed
  }

  /** Disarms the fault `faultId`; true if it was armed here. */
  remove(faultId: string): boolean {
    const before = this.#armed.length
    this.#armed = this.#armed.filter((armed) => armed.entry.id !== faultId)
    return this.#armed.length !== before
  }
}
