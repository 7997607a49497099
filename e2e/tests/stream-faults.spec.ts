// Faults on an open stream: a stall, three ways of cutting it (one in a Web Worker), malformed frames, an oversized
// event.
import type {Fault} from '@holdfast/test-server'
import {holdfast, native as nativeIn} from '../engines/differences'
import {delivered, expect, fast, openStreams, publish, requests, sentIds, test, type OpenHow} from '../fixtures'

test('a stall: native stays OPEN and hears nothing; Holdfast times out, resumes and misses nothing', async ({
  harness,
  sse,
}) => {
  const {native, holdfast: first} = await openStreams(harness, sse, {native: true})

  // Both sockets stay open and silent: no events, no heartbeats, as behind a proxy that lost the stream.
  const stall = sse.inject({type: 'stall', times: 2})
  expect(stall.fired).toBe(2)
  publish(sse, 2)

  const second = await sse.nextConnection()
  expect(second.lastEventId).toBe('2')
  publish(sse, 1)
  await expect.poll(() => harness.ids('holdfast')).toEqual(sentIds(sse))
  expect(await harness.trace('holdfast')).toEqual([
    'open 1',
    ...delivered(1, 2),
    'error 0 idle-timeout',
    'reconnecting 0 attempt=1 delay=50 idle-timeout',
    'open 1',
    ...delivered(3, 4, 5),
  ])
  expect((await sse.waitForClose(first)).closedBy).toBe('client')

  // The native source never noticed: OPEN, on a socket the server still holds stalled, three events behind.
  expect(await harness.trace('native')).toEqual(['open 1', ...delivered(1, 2)])
  expect(await harness.readyState('native')).toBe(1)
  expect(sse.server.connection(native!.id)).toMatchObject({state: 'open', stalled: true})
  expect(requests(sse.connections())).toEqual([{status: 200}, {status: 200}, {status: 200, lastEventId: '2'}])
})

/** `code`: the error's code, `'cut'` for the engine's (see `cutCode` in engines/differences.ts). */
const cuts: Array<{what: string; fault: Fault; code: string; reason: string; how?: OpenHow}> = [
  {
    what: 'a drop in the middle of an event',
    fault: {type: 'drop', midEvent: true},
    code: 'cut',
    reason: 'fault-drop',
  },
  {what: 'a connection reset', fault: {type: 'drop', reset: true}, code: 'network', reason: 'fault-drop'},
  {what: 'a clean end of the response', fault: {type: 'end'}, code: 'stream-ended', reason: 'fault-end'},
  // The README claims Web Workers: the same client, in a dedicated worker, through a drop.
  {
    what: 'in a dedicated Web Worker, a drop',
    fault: {type: 'drop'},
    code: 'cut',
    reason: 'fault-drop',
    how: {worker: true},
  },
]

for (const {what, fault, code: codeOrCut, reason, how = {}} of cuts) {
  test(`${what}: Holdfast reconnects with Last-Event-ID, gets every event once, and closes`, async ({
    harness,
    sse,
    engine,
  }) => {
    const code = codeOrCut === 'cut' ? holdfast[engine.name].cutCode : codeOrCut
    const {holdfast: first} = await openStreams(harness, sse, {how})
    expect(await harness.scope('holdfast')).toBe(how.worker ? 'DedicatedWorkerGlobalScope' : undefined)

    const cut = sse.inject(fault)
    publish(sse, 1) // a mid-event drop cuts this one in half; otherwise it waits in the replay log
    await cut.whenFired()
    const second = await sse.nextConnection()
    publish(sse, 1)

    await expect.poll(() => harness.ids('holdfast')).toEqual(sentIds(sse))
    expect(await harness.messages('holdfast')).toEqual(['event 1', 'event 2', 'event 3', 'event 4'])
    expect(await harness.trace('holdfast')).toEqual([
      'open 1',
      ...delivered(1, 2),
      `error 0 ${code}`,
      `reconnecting 0 attempt=1 delay=50 ${code}`,
      'open 1',
      ...delivered(3, 4),
    ])
    expect(sse.server.connection(first.id)).toMatchObject({closeReason: reason, eventsSent: 2})
    expect(second.lastEventId).toBe('2')
    expect(requests(sse.connections())).toEqual([{status: 200}, {status: 200, lastEventId: '2'}])

    await harness.close('holdfast')
    await expect.poll(() => harness.readyState('holdfast')).toBe(2)
    expect(await sse.waitForClose(second)).toMatchObject({closedBy: 'client'})
  })
}

test('malformed frames: Holdfast dispatches exactly what the native parser does, and resumes from the last valid id', async ({
  harness,
  sse,
  engine,
}) => {
  await openStreams(harness, sse, {native: true, events: 1})

  for (const variant of ['garbage', 'invalid-utf8', 'unknown-field', 'bad-retry', 'nul-id', 'unterminated'] as const)
    expect(sse.inject({type: 'malformed', variant, times: 2}).fired).toBe(2)
  publish(sse, 1)

  // Garbage, unknown fields and a bad retry dispatch nothing; invalid UTF-8 decodes to U+FFFD; an id with NUL is
  // ignored; an unterminated data line joins the next event. (Firefox's native source drops the event whose id
  // holds a NUL.)
  const expected = ['event 1', 'caf\uFFFD(\uFFFD', 'nul-id', 'unterminated\nevent 2']
  await expect.poll(() => harness.messages('holdfast')).toEqual(expected)
  expect(await harness.ids('holdfast')).toEqual(['1', '1', '1', '2'])
  const nul = nativeIn[engine.name].dispatchesNulIdEvent
  await expect.poll(() => harness.messages('native')).toEqual(expected.filter((data) => nul || data !== 'nul-id'))
  expect(await harness.ids('native')).toEqual(nul ? ['1', '1', '1', '2'] : ['1', '1', '2'])

  sse.inject({type: 'drop', times: 2})
  await sse.nextConnection()
  await sse.nextConnection()
  const cut = holdfast[engine.name].cutCode
  await expect.poll(() => harness.trace('holdfast')).toContain(`reconnecting 0 attempt=1 delay=50 ${cut}`)
  expect(requests(sse.connections()).slice(2)).toEqual([
    {status: 200, lastEventId: '2'},
    {status: 200, lastEventId: '2'},
  ])
})

test('an oversized event: Holdfast fails it with event-too-large and stops; native buffers all of it', async ({
  harness,
  sse,
}) => {
  const {holdfast} = await openStreams(harness, sse, {
    native: {types: ['oversized']},
    init: {...fast, maxEventSize: 4_096},
    how: {types: ['oversized']},
    events: 1,
  })

  expect(sse.inject({type: 'oversized', size: 65_536, times: 2}).fired).toBe(2)
  publish(sse, 1)

  await expect.poll(() => harness.trace('holdfast')).toEqual(['open 1', ...delivered(1), 'error 2 event-too-large'])
  expect((await sse.waitForClose(holdfast)).closedBy).toBe('client')
  await expect
    .poll(() => harness.trace('native'))
    .toEqual(['open 1', ...delivered(1), 'oversized 1 id=1', ...delivered(2)])
  expect((await harness.messages('native'))[1]).toHaveLength(65_536)
  // Closed for good: no reconnection, the one request the server saw is over.
  expect(requests(sse.connections())).toEqual([{status: 200}, {status: 200}])
})
