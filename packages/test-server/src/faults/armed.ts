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

  /** Arms `entry`; false when it is due at once, for the stream to fire now. */
  add(entry: FaultEntry): boolean {
    const fault = entry.fault
    const remaining = 'after' in fault && fault.after !== undefined ? fault.after : 0
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

  /** Disarms the fault `faultId`; true if it was armed here. */
  remove(faultId: string): boolean {
    const before = this.#armed.length
    this.#armed = this.#armed.filter((armed) => armed.entry.id !== faultId)
    return this.#armed.length !== before
  }
}
