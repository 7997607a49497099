/** Why a long-poll response ended by itself: it delivered events, or it waited its whole time for none. */
export type PollEnding = 'poll-events' | 'poll-timeout'

/**
 * The life of one long-poll response once it is open, as two timers: the wait for a first event (`timeoutMs`),
 * then, once an event went out, one turn of the event loop so that events published together leave in one
 * response. A paused window (its stream is stalled) ends nothing: what falls due meanwhile waits for `resume()`,
 * because a stalled server finishes no response.
 */
export class PollWindow {
  readonly #finish: (ending: PollEnding) => void
  #deadline: ReturnType<typeof setTimeout> | undefined
  #batch: ReturnType<typeof setImmediate> | undefined
  #paused = false
  #due: PollEnding | undefined
  #done = false

  constructor(timeoutMs: number, finish: (ending: PollEnding) => void) {
    this.#finish = finish
    this.#deadline = setTimeout(() => this.#fallDue('poll-timeout'), timeoutMs)
  }

  /** An event with an id went out: the response ends once the events published in the same turn followed it. */
  eventSent(): void {
    if (this.#done || this.#batch) return
    this.#clearDeadline()
    if (this.#paused) {
      // Written by a stall's catch-up, or by nothing yet: either way the response ends with events once resumed.
      this.#due = 'poll-events'
      return
    }
    this.#batch = setImmediate(() => {
      this.#batch = undefined
      this.#fallDue('poll-events')
    })
  }

  /** The stream stalled: nothing ends until `resume()`. */
  pause(): void {
    this.#paused = true
  }

  /** The stall is over (its catch-up already went out): an ending that fell due meanwhile happens now. */
  resume(): void {
    this.#paused = false
    const due = this.#due
    if (due !== undefined) this.#end(due)
  }

  /** Releases both timers; nothing ends afterwards. */
  dispose(): void {
    this.#done = true
    this.#clearDeadline()
    if (this.#batch) clearImmediate(this.#batch)
    this.#batch = undefined
  }

  #fallDue(ending: PollEnding): void {
    this.#deadline = undefined
    if (this.#paused) this.#due = ending
    else this.#end(ending)
  }

  #end(ending: PollEnding): void {
    if (this.#done) return
    this.dispose()
    this.#finish(ending)
  }

  #clearDeadline(): void {
    if (this.#deadline) clearTimeout(this.#deadline)
    this.#deadline = undefined
  }
}
