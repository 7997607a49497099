import {describe, expect, it} from 'vitest'
import {eventFrame, httpChunk} from '../src/frame.js'
import {ReplayLog, type LogEntry} from '../src/replay-log.js'
import {connect, startServer} from './helpers.js'

function entry(seq: number): LogEntry {
  const id = String(seq)
  const frame = eventFrame({id, data: id})
  return {
    seq,
    frame,
    wire: httpChunk(frame),
    event: {id, channel: 'c', event: undefined, data: id, retry: undefined, publishedAt: 0},
  }
}

function logWith(capacity: number, count: number): ReplayLog {
  const log = new ReplayLog(capacity)
  for (let seq = 1; seq <= count; seq++) log.append(entry(seq))
  return log
}

const ids = (entries: readonly LogEntry[]): string[] => entries.map((e) => e.event.id)

describe('the replay log', () => {
  it('keeps the last `capacity` events in order', () => {
    const log = logWith(3, 5)
    expect(log.size).toBe(3)
    expect(log.oldest).toBe(3)
    expect(ids(log.entries())).toEqual(['3', '4', '5'])
  })

  it.each([
    ['no id', undefined, {result: 'none', ids: []}],
    ['an empty id', '', {result: 'none', ids: []}],
    ['the newest id', '10', {result: 'replayed', ids: []}],
    ['an id inside the log', '8', {result: 'replayed', ids: ['9', '10']}],
    ['the id just before the oldest kept', '5', {result: 'replayed', ids: ['6', '7', '8', '9', '10']}],
    ['an id older than the log', '4', {result: 'too-old', ids: ['6', '7', '8', '9', '10']}],
    ['an id newer than the channel', '11', {result: 'unknown-id', ids: ['6', '7', '8', '9', '10']}],
    ['an id that is not a number', 'abc', {result: 'unknown-id', ids: ['6', '7', '8', '9', '10']}],
    ['a number with a leading zero', '09', {result: 'unknown-id', ids: ['6', '7', '8', '9', '10']}],
  ])('plans a replay for %s', (_name, lastEventId, expected) => {
    const plan = logWith(5, 10).plan(lastEventId, 10)
    expect({result: plan.result, ids: ids(plan.entries)}).toEqual(expected)
  })

  it('replays everything from "0" while the log still starts at 1', () => {
    expect(ids(logWith(5, 3).plan('0', 3).entries)).toEqual(['1', '2', '3'])
    expect(logWith(5, 6).plan('0', 6).result).toBe('too-old')
  })

  it('keeps nothing with capacity 0, and reports every resume as too old', () => {
    const log = logWith(0, 4)
    expect(log.size).toBe(0)
    expect(log.plan('2', 4)).toEqual({result: 'too-old', entries: [], oldestId: undefined})
    expect(log.plan('4', 4)).toEqual({result: 'replayed', entries: []})
  })
})

describe('resuming with Last-Event-ID', () => {
  it('replays everything after the header id, in order, then continues live without duplicates', async () => {
    const {server} = await startServer({retryMs: false})
    for (let i = 1; i <= 5; i++) server.publish('feed', `e${i}`)
    const client = connect(server.streamUrl('feed'), {headers: {'Last-Event-ID': '2'}})
    const record = await server.waitForConnection((c) => c.state === 'open')
    server.publish('feed', 'e6')
    const events = await client.waitForEvents(4)
    expect(events.map((e) => `${e.id}:${e.data}`)).toEqual(['3:e3', '4:e4', '5:e5', '6:e6'])
    expect(record).toMatchObject({lastEventId: '2', lastEventIdFrom: 'header', replay: {result: 'replayed', events: 3}})
    expect((await client.headers)['x-holdfast-replay']).toBe('replayed')
  })

  it('reads the id from the lastEventId query parameter when there is no header', async () => {
    const {server} = await startServer()
    for (let i = 1; i <= 3; i++) server.publish('feed', `e${i}`)
    const client = connect(server.streamUrl('feed', {lastEventId: 1}))
    expect((await client.waitForEvents(2)).map((e) => e.id)).toEqual(['2', '3'])
    expect(server.connections('feed')[0]).toMatchObject({lastEventId: '1', lastEventIdFrom: 'query'})
  })

  it('prefers the header over the query parameter', async () => {
    const {server} = await startServer()
    for (let i = 1; i <= 3; i++) server.publish('feed', `e${i}`)
    const client = connect(server.streamUrl('feed', {lastEventId: 0}), {headers: {'Last-Event-ID': '2'}})
    expect((await client.waitForEvents(1)).map((e) => e.id)).toEqual(['3'])
  })

  it('honours a renamed query parameter', async () => {
    const {server} = await startServer({lastEventIdParam: 'since'})
    for (let i = 1; i <= 3; i++) server.publish('feed', `e${i}`)
    const client = connect(server.streamUrl('feed', {since: 2}))
    expect((await client.waitForEvents(1)).map((e) => e.id)).toEqual(['3'])
  })

  it('announces a gap with a replay-gap event when the id is older than the log, then replays the log', async () => {
    const {server} = await startServer({replayLimit: 3})
    for (let i = 1; i <= 6; i++) server.publish('feed', `e${i}`)
    const client = connect(server.streamUrl('feed'), {headers: {'Last-Event-ID': '1'}})
    const events = await client.waitForEvents(4)
    expect(events[0]).toEqual({
      id: undefined,
      event: 'replay-gap',
      data: JSON.stringify({lastEventId: '1', oldestId: '4', reason: 'too-old'}),
    })
    expect(events.slice(1).map((e) => e.id)).toEqual(['4', '5', '6'])
    expect((await client.headers)['x-holdfast-replay']).toBe('too-old')
    expect(server.connections()[0]?.replay).toEqual({result: 'too-old', events: 3})
  })

  it('announces an unknown id (a restarted server) and replays the whole log', async () => {
    const {server} = await startServer()
    server.publish('feed', 'e1')
    const client = connect(server.streamUrl('feed'), {headers: {'Last-Event-ID': '41'}})
    const events = await client.waitForEvents(2)
    expect(events.map((e) => e.event)).toEqual(['replay-gap', 'message'])
    expect(JSON.parse(events[0]?.data ?? '')).toMatchObject({lastEventId: '41', reason: 'unknown-id'})
  })

  it('lets a test assert that the client came back with the id it last saw', async () => {
    const {server} = await startServer()
    const first = connect(server.streamUrl('feed'))
    const opened = await server.waitForConnection((c) => c.state === 'open')
    for (let i = 1; i <= 41; i++) server.publish('feed', `e${i}`)
    const seen = await first.waitForEvents(41)
    first.close()
    await server.waitForClose(opened)
    connect(server.streamUrl('feed'), {headers: {'Last-Event-ID': seen.at(-1)?.id ?? ''}})
    const again = await server.waitForConnection(undefined, {after: opened})
    expect(again.lastEventId).toBe('41')
  })
})
