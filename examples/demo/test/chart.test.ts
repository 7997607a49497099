import {describe, expect, it} from 'vitest'
import {clippedPeaks, labelRows, linear, niceCeiling, polylinePoints, stateSegments} from '../public/chart.js'

describe('chart geometry', () => {
  it('maps a domain linearly onto a range, reversed ranges included', () => {
    const x = linear(1000, 2000, 0, 500)
    expect([x(1000), x(1500), x(2000)]).toEqual([0, 250, 500])
    const y = linear(0, 10, 120, 20)
    expect([y(0), y(5), y(10)]).toEqual([120, 70, 20])
    expect(linear(5, 5, 0, 100)(5)).toBe(0)
  })

  it.each([
    [0, 1, 1],
    [0.3, 0.1, 0.5],
    [3, 1, 5],
    [8, 1, 10],
    [10, 1, 10],
    [11, 1, 20],
    [23, 1, 50],
    [3, 4, 5],
  ])('rounds %d (floor %d) up to the axis top %d', (value, floor, top) => {
    expect(niceCeiling(value, floor)).toBeCloseTo(top)
  })

  it('writes polyline points rounded to a tenth', () => {
    const points = [
      {time: 0, perSecond: 0},
      {time: 1, perSecond: 4},
    ]
    expect(
      polylinePoints(
        points,
        (t) => t * 100.04,
        (v) => 120 - v * 10.01,
      ),
    ).toBe('0.0,120.0 100.0,80.0')
  })

  it('turns state transitions into segments clipped to the window', () => {
    const transitions = [
      {time: 0, state: 0},
      {time: 100, state: 1},
      {time: 5_000, state: 0},
      {time: 5_000, state: 1},
      {time: 9_000, state: 2},
    ]
    expect(stateSegments(transitions, 1_000, 10_000)).toEqual([
      {from: 1_000, to: 5_000, state: 1},
      {from: 5_000, to: 9_000, state: 1},
      {from: 9_000, to: 10_000, state: 2},
    ])
    expect(stateSegments([], 0, 10)).toEqual([])
  })

  it('finds the peak of each run of points above the axis top', () => {
    const points = [4, 12, 19, 6, 4, 11, 4].map((perSecond, time) => ({time, perSecond}))
    expect(clippedPeaks(points, 10)).toEqual([
      {time: 2, perSecond: 19},
      {time: 5, perSecond: 11},
    ])
    expect(clippedPeaks(points, 20)).toEqual([])
  })

  it('puts labels that would overlap in other rows', () => {
    expect(labelRows([0, 100, 130, 140, 300], 50)).toEqual([0, 0, 1, 2, 0])
    // Four labels in three rows: the fourth goes to the row whose last label is furthest left.
    expect(labelRows([0, 10, 20, 30], 50)).toEqual([0, 1, 2, 0])
  })
})
