import {describe, expect, it} from 'vitest'
import {createIdWindow} from '../src/dedupe'
import {mockStream, openSource, until, useMockServer} from './harness'

useMockServer()

describe('createIdWindow', () => {
  it('remembers the last N ids and evicts the oldest', () => {
    const isDuplicate = createIdWindow(2)
    expect(['a', 'b', 'a', 'c', 'a', 'b'].map((id) => isDuplicate(id))).toEqual([
      false,
      false,
      true,
      false, // c evicts a
      false, // a is new again, evicts b
      false,
    ])
  })
})

describe('[ext] duplicate suppression', () => {
  const replay = 'id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 1\ndata: a again\n\ndata: no id\n\ndata: no id\n\n'

  it('is off by default: every event is delivered', async () => {
    const stream = mockStream()
    const source = openSource()
    const got: string[] = []
    source.onmessage = (event) => got.push(event.data)
    ;(await stream.open()).send(replay)
    await until(() => got.length === 5, 'all events')
    expect(source.stats.duplicates).toBe(0)
  })

  it('drops and counts events whose id was already delivered; events without an id always pass', async () => {
    const stream = mockStream()
    const source = openSource({dedupe: 100})
    const got: string[] = []
    source.onmessage = (event) => got.push(event.data)
    ;(await stream.open()).send(replay)
    await until(() => got.length === 4, 'the unique events')
    expect(got).toEqual(['a', 'b', 'no id', 'no id'])
    expect(source.stats).toMatchObject({messages: 4, duplicates: 1})
  })
})
