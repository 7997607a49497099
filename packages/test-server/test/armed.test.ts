import {describe, expect, it} from 'vitest'
import {ArmedFaults} from '../src/faults/armed.js'
import type {FaultEntry} from '../src/faults/entry.js'
import type {Fault} from '../src/index.js'

const entry = (id: string, fault: Fault): FaultEntry => ({
  id,
  fault,
  target: {},
  via: 'api',
  pending: 1,
  firedOn: [],
  createdAt: 0,
})

describe('ArmedFaults: counting down the events a stream sends', () => {
  it('leaves a fault due at once to the stream, and fires the others after their count, in arming order', () => {
    const armed = new ArmedFaults()
    expect(armed.add(entry('now', {type: 'stall'}))).toBe(false)
    const end = entry('end', {type: 'end', after: 2})
    const stall = entry('stall', {type: 'stall', after: 1})
    const drop = entry('drop', {type: 'drop', after: 2})
    expect([armed.add(end), armed.add(stall), armed.add(drop)]).toEqual([true, true, true])
    expect(armed.countDown()).toEqual([stall])
    expect(armed.countDown()).toEqual([end, drop])
    expect(armed.countDown()).toEqual([])
  })

  it('holds a mid-event drop until the event after its count, then hands it over once', () => {
    const armed = new ArmedFaults()
    const cut = entry('cut', {type: 'drop', midEvent: true, after: 1})
    armed.add(cut)
    expect(armed.takeCut()).toBeUndefined()
    expect(armed.countDown()).toEqual([])
    expect(armed.takeCut()).toBe(cut)
    expect(armed.takeCut()).toBeUndefined()
  })

  it('disarms by id', () => {
    const armed = new ArmedFaults()
    armed.add(entry('a', {type: 'end', after: 1}))
    expect(armed.remove('b')).toBe(false)
    expect(armed.remove('a')).toBe(true)
    expect(armed.countDown()).toEqual([])
  })
})
