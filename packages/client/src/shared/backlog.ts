import type {Batch, Since} from './protocol'

/** The messages a tab keeps of the latest batches it delivered, for a tab that missed them while it was away. */
export const BACKLOG = 1024

/**
 * The latest batches a tab delivered, of any leadership term, at most `BACKLOG` messages (and at least the newest
 * batch). When the tab leads, it answers from them what a tab that missed messages lacks: after a hand-over too,
 * the new leader has what it delivered as a follower.
 */
export class Backlog {
  readonly #batches: Batch[] = []
  #size = 0

  remember(batch: Batch): void {
    this.#batches.push(batch)
    this.#size += batch.messages.length
    while (this.#size > BACKLOG && this.#batches.length > 1) this.#size -= this.#batches.shift()!.messages.length
  }

  /** Whether a message it holds carries `lastEventId`. */
  has(lastEventId: string): boolean {
    return this.#batches.some(({messages}) => messages.some((message) => message.lastEventId === lastEventId))
  }

  /**
   * The batches a tab lacks that last had `since`: those after its last batch, where the backlog holds it;
   * otherwise those after its last id, where a message carries it; otherwise the whole backlog, incomplete.
   */
  lacking({position: [term, seq], lastEventId}: Since): {batches: Batch[]; complete: boolean} {
    const batches = this.#batches
    const last = batches.findIndex((batch) => batch.term === term && batch.seq === seq)
    if (last >= 0) return {batches: batches.slice(last + 1), complete: true}
    for (let index = 0; lastEventId !== '' && index < batches.length; index++) {
      const batch = batches[index]!
      const at = batch.messages.findIndex((message) => message.lastEventId === lastEventId)
      if (at === -1) continue
      // The first message that carries the id: the event with that id, which the tab had, or one without an id after
      // it (the backlog does not reach back to the event), which it lacks.
      const rest = {...batch, messages: batch.messages.slice(at + Number(batch.messages[at]!.id === lastEventId))}
      return {batches: [rest, ...batches.slice(index + 1)], complete: true}
    }
    return {batches: [...batches], complete: false}
  }
}
