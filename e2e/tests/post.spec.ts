// [ext] A stream opened with POST and a body, in every engine: what the server receives, and what a drop does with
// and without `retryNonGet` (the native EventSource has no method or body to compare with).
import {holdfast} from '../engines/differences'
import {delivered, expect, fast, publish, requests, sentIds, streamUrl, test} from '../fixtures'

const BODY = JSON.stringify({topics: ['prices', 'news']})
const post = {...fast, method: 'POST', body: BODY, headers: {'content-type': 'application/json'}}

test('a POST with a JSON body, and retryNonGet: after a drop the same request is sent again with Last-Event-ID', async ({
  harness,
  sse,
  engine,
}) => {
  await harness.open('holdfast', streamUrl(sse), {...post, retryNonGet: true})
  const first = await sse.nextConnection()
  expect(first).toMatchObject({method: 'POST'})
  expect(first.headers['content-type']).toBe('application/json')
  await expect.poll(() => sse.server.connection(first.id)?.body).toBe(BODY)
  const before = publish(sse, 2)
  await expect.poll(() => harness.ids('holdfast')).toEqual(before)

  sse.inject({type: 'drop'})
  const second = await sse.nextConnection()
  expect(second).toMatchObject({method: 'POST', lastEventId: '2'})
  // The server answers the head at once; it records the body as the bytes arrive (in Firefox, after the answer).
  await expect.poll(() => sse.server.connection(second.id)?.body).toBe(BODY)
  publish(sse, 1)
  await expect.poll(() => harness.ids('holdfast')).toEqual(sentIds(sse))
  const cut = holdfast[engine.name].cutCode
  expect(await harness.trace('holdfast')).toEqual([
    'open 1',
    ...delivered(1, 2),
    `error 0 ${cut}`,
    `reconnecting 0 attempt=1 delay=50 ${cut}`,
    'open 1',
    ...delivered(3),
  ])
})

test('a POST without retryNonGet: a drop closes the source, and the request is never sent again', async ({
  harness,
  sse,
  engine,
}) => {
  await harness.open('holdfast', streamUrl(sse), post)
  const first = await sse.nextConnection()
  publish(sse, 1)
  await expect.poll(() => harness.ids('holdfast')).toEqual(['1'])

  sse.inject({type: 'drop'})
  await expect.poll(() => harness.readyState('holdfast')).toBe(2)
  expect(await harness.trace('holdfast')).toEqual([
    'open 1',
    ...delivered(1),
    `error 2 ${holdfast[engine.name].cutCode}`,
  ])
  expect((await sse.waitForClose(first)).closeReason).toBe('fault-drop')
  expect(requests(sse.connections())).toEqual([{status: 200}])
})
