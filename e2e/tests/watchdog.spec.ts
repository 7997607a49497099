// The idle watchdog in every engine, side by side with the native EventSource: a stall before the response head,
// right after it, and in the middle of an event. Where the engines differ (Firefox fires `open` only with the first
// byte of the body), engines/differences.ts says so and the traces follow it.
import type {ConnectionRecord} from '@holdfast/test-server'
import {holdfast, native} from '../engines/differences'
import {delivered, expect, fast, openStreams, publish, requests, sentIds, streamUrl, test} from '../fixtures'

/** The stream URL for one source, told apart by a query parameter the server ignores. */
const urlFor = (url: string, who: string) => `${url}&who=${who}`
const of = (who: string) => (c: ConnectionRecord) => new URL(c.url, 'http://x').searchParams.get('who') === who

test('a stall right after the response head: Holdfast gives up after idleTimeout and resumes; native waits forever', async ({
  harness,
  sse,
  engine,
}) => {
  // Both streams get their head (200, text/event-stream), then not one byte: no retry hint, no heartbeat.
  const stall = sse.inject({type: 'stall', times: 2})
  await harness.open('native', urlFor(streamUrl(sse), 'native'), {}, {native: true})
  const nativeStream = await sse.waitForConnection(of('native'))
  await harness.open('holdfast', urlFor(streamUrl(sse), 'holdfast'), fast)
  const stalled = await sse.waitForConnection(of('holdfast'))
  expect(sse.server.connection(stalled.id)).toMatchObject({state: 'open', stalled: true})

  // The watchdog covers the wait for the first byte, whether or not the engine has resolved fetch() by then.
  await expect.poll(() => harness.trace('holdfast')).toContain('reconnecting 0 attempt=1 delay=50 idle-timeout')
  const headOpen = holdfast[engine.name].openAtHead ? ['open 1'] : []
  await expect
    .poll(() => harness.trace('holdfast'))
    .toEqual([...headOpen, 'error 0 idle-timeout', 'reconnecting 0 attempt=1 delay=50 idle-timeout', 'open 1'])
  expect((await sse.waitForClose(stalled)).closedBy).toBe('client')

  // A second past the head, the native source has fired `open` only if its engine does so at the head.
  const nativeOpen = native[engine.name].openAtHead
  expect(await harness.trace('native')).toEqual(nativeOpen ? ['open 1'] : [])
  expect(await harness.readyState('native')).toBe(nativeOpen ? 1 : 0)
  // The first bytes (the heartbeats, once the stall is lifted) open it everywhere.
  stall.resume()
  await expect.poll(() => harness.trace('native')).toEqual(['open 1'])
  publish(sse, 1)
  for (const label of ['native', 'holdfast']) await expect.poll(() => harness.ids(label)).toEqual(sentIds(sse))
  expect(sse.server.connection(nativeStream.id)).toMatchObject({state: 'open'})
})

test('a stall before the response head: Holdfast gives up after idleTimeout and resumes; native stays CONNECTING', async ({
  harness,
  sse,
}) => {
  const hold = sse.inject({type: 'delay', times: 2})
  await harness.open('native', urlFor(streamUrl(sse), 'native'), {}, {native: true})
  await harness.open('holdfast', urlFor(streamUrl(sse), 'holdfast'), fast)

  await expect
    .poll(() => harness.trace('holdfast'))
    .toEqual(['error 0 idle-timeout', 'reconnecting 0 attempt=1 delay=50 idle-timeout', 'open 1'])
  expect(await harness.trace('native')).toEqual([])
  expect(await harness.readyState('native')).toBe(0)
  expect(sse.connections().filter(of('native'))).toMatchObject([{state: 'connecting'}])

  hold.resume()
  await expect.poll(() => harness.trace('native')).toEqual(['open 1'])
  publish(sse, 1)
  for (const label of ['native', 'holdfast']) await expect.poll(() => harness.ids(label)).toEqual(sentIds(sse))
})

test('a stall in the middle of an event: Holdfast drops the partial event, resumes from the last whole one; native keeps waiting', async ({
  harness,
  sse,
}) => {
  await openStreams(harness, sse, {native: true})
  // Half an event (its id and a first data line, no blank line to end it), then silence on both streams.
  sse.inject({type: 'malformed', frame: 'id: 99\ndata: half of an ev', times: 2})
  sse.inject({type: 'stall', times: 2})

  const second = await sse.nextConnection()
  expect(second.lastEventId).toBe('2') // not 99: that event never completed
  publish(sse, 1)
  await expect.poll(() => harness.ids('holdfast')).toEqual(sentIds(sse))
  expect(await harness.trace('holdfast')).toEqual([
    'open 1',
    ...delivered(1, 2),
    'error 0 idle-timeout',
    'reconnecting 0 attempt=1 delay=50 idle-timeout',
    'open 1',
    ...delivered(3),
  ])
  expect(await harness.messages('holdfast')).toEqual(['event 1', 'event 2', 'event 3'])
  expect(await harness.trace('native')).toEqual(['open 1', ...delivered(1, 2)])
  expect(await harness.readyState('native')).toBe(1)
  expect(requests(sse.connections())).toEqual([{status: 200}, {status: 200}, {status: 200, lastEventId: '2'}])
})
