import {describe, expect, it} from 'vitest'
import {createIdTracker} from '../public/ids.js'

/** Records every id and returns the verdicts and the final stats. */
function run(ids: string[]) {
  const tracker = createIdTracker()
  const verdicts = ids.map((id) => tracker.record(id))
  return {verdicts, stats: tracker.stats()}
}

describe('createIdTracker', () => {
  it('takes the first id as the baseline and counts nothing before it as missed', () => {
    expect(run(['41', '42', '43'])).toEqual({
      verdicts: ['first', 'next', 'next'],
      stats: {received: 3, lastId: 43, gaps: 0, missing: 0, duplicates: 0},
    })
  })

  it('counts a jump as one gap and each skipped id as missed', () => {
    expect(run(['1', '2', '6', '7', '9'])).toEqual({
      verdicts: ['first', 'next', 'gap', 'next', 'gap'],
      stats: {received: 5, lastId: 9, gaps: 2, missing: 4, duplicates: 0},
    })
  })

  it('counts an id seen before as a duplicate, wherever it comes', () => {
    expect(run(['1', '2', '3', '2', '3', '3', '4'])).toEqual({
      verdicts: ['first', 'next', 'next', 'duplicate', 'duplicate', 'duplicate', 'next'],
      stats: {received: 7, lastId: 4, gaps: 0, missing: 0, duplicates: 3},
    })
  })

  it('lets a late id fill its gap once; the second time it is a duplicate', () => {
    expect(run(['1', '5', '3', '3', '2', '4'])).toEqual({
      verdicts: ['first', 'gap', 'late', 'duplicate', 'late', 'late'],
      stats: {received: 6, lastId: 5, gaps: 1, missing: 0, duplicates: 1},
    })
  })

  it('counts events without a decimal id as received, and nothing else', () => {
    expect(run(['', 'abc', '1', '-2', '2'])).toEqual({
      verdicts: ['no-id', 'no-id', 'first', 'no-id', 'next'],
      stats: {received: 5, lastId: 2, gaps: 0, missing: 0, duplicates: 0},
    })
  })

  it('keeps a huge jump as one range, not one entry per id', () => {
    const tracker = createIdTracker()
    tracker.record('1')
    tracker.record('1000000000002')
    tracker.record('500')
    expect(tracker.stats()).toEqual({received: 3, lastId: 1000000000002, gaps: 1, missing: 999999999999, duplicates: 0})
  })

  it('reports no last id before the first event', () => {
    expect(createIdTracker().stats()).toEqual({received: 0, lastId: undefined, gaps: 0, missing: 0, duplicates: 0})
  })
})
