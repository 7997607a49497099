// What a stream of event ids says about delivery: every id should arrive once, in order, none skipped.

/**
 * @typedef {object} IdStats
 * @property {number} received events recorded (duplicates included)
 * @property {number | undefined} lastId the highest id seen
 * @property {number} gaps times the id jumped forward by more than one
 * @property {number} missing ids skipped and not received since
 * @property {number} duplicates events whose id had been received before
 */

/**
 * How one id compares with those before it: the `first` one sets the baseline (nothing before it counts as
 * missed); `next` is the one expected; a `gap` skipped some; a `duplicate` was seen before; a `late` one fills an
 * earlier gap; `no-id` is not a decimal id.
 * @typedef {'first' | 'next' | 'gap' | 'duplicate' | 'late' | 'no-id'} IdVerdict
 */

/**
 * A counter of gaps and duplicates over ids 1, 2, 3… Memory stays small: skipped ids are kept as ranges.
 * @returns {{record: (id: string) => IdVerdict, stats: () => IdStats}}
 */
export function createIdTracker() {
  let received = 0
  let gaps = 0
  let duplicates = 0
  /** @type {number | undefined} */
  let highest
  /** Skipped ids not received since, as inclusive ranges in ascending order. @type {Array<[number, number]>} */
  const skipped = []

  /** Removes `id` from the skipped ranges; false when it was not among them. @param {number} id */
  function fill(id) {
    const index = skipped.findIndex(([from, to]) => from <= id && id <= to)
    const range = skipped[index]
    if (range === undefined) return false
    const [from, to] = range
    /** @type {Array<[number, number]>} */
    const rest = []
    if (from < id) rest.push([from, id - 1])
    if (id < to) rest.push([id + 1, to])
    skipped.splice(index, 1, ...rest)
    return true
  }

  return {
    record(id) {
      received++
      if (!/^\d{1,15}$/.test(id)) return 'no-id'
      const n = Number(id)
      if (highest === undefined) {
        highest = n
        return 'first'
      }
      if (n === highest + 1) {
        highest = n
        return 'next'
      }
      if (n > highest) {
        gaps++
        skipped.push([highest + 1, n - 1])
        highest = n
        return 'gap'
      }
      if (fill(n)) return 'late'
      duplicates++
      return 'duplicate'
    },
    stats: () => ({
      received,
      lastId: highest,
      gaps,
      missing: skipped.reduce((sum, [from, to]) => sum + to - from + 1, 0),
      duplicates,
    }),
  }
}
