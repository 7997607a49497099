import {describe, expect, it} from 'vitest'
import {createRateWindow} from '../public/rate-window.js'

describe('createRateWindow', () => {
  it('gives the complete buckets of the window, oldest first, in events per second', () => {
    const rate = createRateWindow({bucketMs: 1000, windowMs: 5000})
    for (const time of [10_100, 10_400, 11_000, 11_999, 12_500, 13_100]) rate.add(time)
    // now = 14 300: buckets 10..13 are complete; bucket 9 (middle 9 500) is within 5 s, bucket 14 is not complete.
    expect(rate.series(14_300)).toEqual([
      {time: 9_500, perSecond: 0},
      {time: 10_500, perSecond: 2},
      {time: 11_500, perSecond: 2},
      {time: 12_500, perSecond: 1},
      {time: 13_500, perSecond: 1},
    ])
  })

  it('shows a stall as zeros, not as a missing stretch', () => {
    const rate = createRateWindow({bucketMs: 500, windowMs: 3000})
    rate.add(1_100)
    rate.add(3_600)
    expect(rate.series(4_000).map((point) => point.perSecond)).toEqual([2, 0, 0, 0, 0, 2])
  })

  it('scales counts to per second for buckets shorter than a second', () => {
    const rate = createRateWindow({bucketMs: 250, windowMs: 1000})
    for (const time of [0, 10, 20, 260]) rate.add(time)
    expect(rate.series(1000)).toEqual([
      {time: 125, perSecond: 12},
      {time: 375, perSecond: 4},
      {time: 625, perSecond: 0},
      {time: 875, perSecond: 0},
    ])
  })

  it('forgets buckets that left the window', () => {
    const rate = createRateWindow({bucketMs: 1000, windowMs: 2000})
    rate.add(500)
    expect(rate.series(2_000).map((point) => point.perSecond)).toEqual([1, 0])
    expect(rate.series(60_000).every((point) => point.perSecond === 0)).toBe(true)
    // The old bucket is gone: looking back at the same moment no longer finds its event.
    expect(rate.series(2_000).map((point) => point.perSecond)).toEqual([0, 0])
  })

  it('starts empty again after clear()', () => {
    const rate = createRateWindow({bucketMs: 1000, windowMs: 3000})
    rate.add(1_500)
    rate.clear()
    expect(rate.series(3_000).map((point) => point.perSecond)).toEqual([0, 0, 0])
  })
})
