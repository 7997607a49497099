import type {Batch, Since} from './protocol'

/** The messages a leader keeps of its latest batches, for a tab that missed them while its page was not running. */
export const BACKLOG = 1024

/**
 * A leader's latest relayed batches of its term, at most `BACKLOG` messages (and at least the newest batch), for a tab
 * that missed them: it answers what such a tab lacks.
 */
export class Backlog {
  readonly #batches: Batch[] = []
  #size = 0
  /** The number of the last batch dropped; 0 while none was. */
  #trimmed = 0

  /** `term`: the leader's; `resumedFrom`: the Last-Event-ID its connection started from. */
  constructor(
    readonly term: number,
    readonly resumedFrom: string,
  ) {}

  remember(batch: Batch): void {
    this.#batches.push(batch)
    this.#size += batch.messages.length
    while (this.#size > BACKLOG && this.#batches.length > 1) {
      const dropped = this.#batches.shift()!
      this.#size -= dropped.messages.length
      this.#trimmed = dropped.seq
    }
  }

  /**
   * The batches a tab lacks that last had `since`: in this term, those after its position, as long as the backlog
   * still holds every batch after it; otherwise those after its last id, where the backlog holds that id (or the
   * whole term, when the term resumed from that id); otherwise the whole backlog, incomplete.
   */
  lacking({position: [term, seq], lastEventId}: Since): {batches: Batch[]; complete: boolean} {
    const batches = this.#batches
    if (term === this.term && seq >= this.#trimmed)
      return {batches: batches.filter((batch) => batch.seq > seq), complete: true}
    // A tab of an earlier term that had what this term resumed from lacks the whole term.
    if (lastEventId !== '' && lastEventId === this.resumedFrom && this.#trimmed === 0)
      return {batches: [...batches], complete: true}
    for (let index = 0; lastEventId !== '' && index < batches.length; index++) {
      const batch = batches[index]!
      const at = batch.messages.findIndex((message) => message.lastEventId === lastEventId)
      if (at === -1) continue
      const rest = {...batch, messages: batch.messages.slice(at + 1)}
      return {batches: [rest, ...batches.slice(index + 1)], complete: true}
    }
    return {batches: [...batches], complete: false}
  }
}
