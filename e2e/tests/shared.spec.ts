// SharedEventSource: the pages of one browser context share one stream through Web Locks and BroadcastChannel. The
// leader goes away (three ways here, two of them in every engine; the back/forward cache in shared-bfcache.spec.ts)
// and freezes (Chromium only: over CDP); every surviving page gets every event exactly once, those without an id too.
// A slow loop in the leader's page holds no other page. Eight tabs on one stream: many-tabs.spec.ts.
import {chromiumOnly} from '../engines/engines'
import {expect, fast, publish, streamUrl, test, type Harness} from '../fixtures'
import {expectEveryTab, sharedStream} from '../support/tabs'

/** Takes the leader away in one of three ways; `tag` limits a way to the engines that can do it. */
const goAway: Record<string, {leave: (leader: Harness) => Promise<unknown>; tag?: string}> = {
  'page.close()': {leave: (leader) => leader.tab.close()},
  'a renderer crash': {
    leave: async ({page: leader}) => {
      const crashed = new Promise((resolve) => leader.once('crash', resolve))
      const cdp = await leader.context().newCDPSession(leader)
      // Not awaited: the reply never comes from a renderer that is gone (awaiting it hangs the test).
      void cdp.send('Page.crash').catch(() => {})
      await crashed
    },
    tag: chromiumOnly,
  },

  'a navigation away': {leave: (leader) => leader.tab.goto('about:blank')},
}

for (const [how, {leave, tag = []}] of Object.entries(goAway)) {
  test(
    `the leader goes away (${how}) while events flow: a follower takes over from the newest id, no page misses or repeats an event`,
    {
      tag,
    },
    async ({engine, sse, sseServer}) => {
      const {leader, followers, before, first} = await sharedStream(engine, sseServer.url, sse, 3, 10)
      await leave(leader)
      const during = publish(sse, 10) // published while no tab leads: the new leader gets them replayed by id
      const second = await sse.waitForConnection(undefined, {after: first})
      expect(second.lastEventId).toBe(before.at(-1))
      const after = publish(sse, 10)
      await expectEveryTab(followers, [...before, ...during, ...after])
      const newRoles = await Promise.all(followers.map((tab) => tab.role('shared')))
      expect(newRoles.sort()).toEqual(['follower', 'leader'])
      const ids = sse.connections().map((connection) => connection.id)
      expect(ids.slice(ids.indexOf(first.id) + 1)).toEqual([second.id]) // one hand-over, one new stream
    },
  )
}

test(
  'a frozen leader (its JavaScript paused) is stolen from: the followers recover with no loss, the old leader stops',
  {tag: chromiumOnly},
  async ({context, sse, sseServer}) => {
    const {leader, followers, before, first} = await sharedStream(context, sseServer.url, sse, 3, 5)
    const cdp = await context.newCDPSession(leader.page)
    await cdp.send('Debugger.enable')
    await cdp.send('Debugger.pause')
    // The paused page keeps its lock and its stream; the followers hear nothing for an idle timeout, and one steals.
    const second = await sse.waitForConnection(undefined, {after: first})
    expect(second.lastEventId).toBe(before.at(-1))
    const after = publish(sse, 5)
    await expectEveryTab(followers, [...before, ...after])
    await cdp.send('Debugger.resume')
    // Woken up, the old leader finds its lock stolen: it closes its own stream and follows.
    await expect.poll(() => leader.role('shared')).toBe('follower')
    expect((await sse.waitForClose(first)).closedBy).toBe('client')
    // What was relayed while its page was paused reaches it too: the new leader's backlog fills what it lacks.
    const more = publish(sse, 3)
    await expectEveryTab([leader, ...followers], [...before, ...after, ...more])
  },
)

test(
  'a follower whose page was paused while events flowed catches up: every event once, in order',
  {tag: chromiumOnly},
  async ({context, sse, sseServer}) => {
    const {leader, followers, before, first} = await sharedStream(context, sseServer.url, sse, 3, 5)
    const [paused, other] = followers as [(typeof followers)[number], (typeof followers)[number]]
    const cdp = await context.newCDPSession(paused.page)
    await cdp.send('Debugger.enable')
    await cdp.send('Debugger.pause')
    const during = publish(sse, 5)
    await expectEveryTab([leader, other], [...before, ...during])
    await cdp.send('Debugger.resume')
    const after = publish(sse, 3)
    await expectEveryTab([leader, ...followers], [...before, ...during, ...after])
    expect(await paused.role('shared')).toBe('follower')
    expect(sse.connections()).toEqual([expect.objectContaining({id: first.id})])
  },
)

/** What a page's source delivered, as `data@lastEventId`. */
async function delivered(tab: Harness): Promise<string[]> {
  const log = await tab.log('shared')
  return log.filter((entry) => entry.type === 'message').map((entry) => `${entry.data}@${entry.lastEventId}`)
}

test('after a hand-over, an event without an id reaches every page, carrying the id the new leader resumed from', async ({
  engine,
  sse,
  sseServer,
}) => {
  const {leader, followers, before, first} = await sharedStream(engine, sseServer.url, sse, 3, 3)
  await leader.tab.close()
  const second = await sse.waitForConnection(undefined, {after: first})
  const resumedFrom = before.at(-1)!
  expect(second.lastEventId).toBe(resumedFrom)
  // A greeting on the new connection, without an id: the event carries the id the stream resumed from.
  sse.inject({type: 'malformed', frame: 'data: hello\n\n'}, {connection: second.id})
  const after = publish(sse, 2)
  const expected = [...before, ...after].map((id) => `event ${id}@${id}`)
  expected.splice(before.length, 0, `hello@${resumedFrom}`)
  for (const tab of followers) await expect.poll(() => delivered(tab)).toEqual(expected)
  expect(await Promise.all(followers.map((tab) => tab.stats('shared')))).toEqual([
    expect.objectContaining({messages: expected.length}),
    expect.objectContaining({messages: expected.length}),
  ])
})

test('a for await loop in the leader’s page that stops taking messages holds no other page', async ({
  engine,
  sse,
  sseServer,
}) => {
  const {leader, followers, before} = await sharedStream(engine, sseServer.url, sse, 3, 2)
  // It takes one message, then no more: far behind its buffer of two, it would hold the network read until its
  // stall timeout (a minute), and every page with it.
  await leader.tab.evaluate(() => {
    window.harness.iterate('shared', {bufferSize: 2, stallTimeout: 60_000})
    window.harness.take('shared')
  }, undefined)
  const during: string[] = []
  for (let i = 0; i < 10; i++) {
    during.push(...publish(sse, 1)) // one event at a time, each its own chunk
    for (const tab of followers) await expect.poll(() => tab.ids('shared')).toEqual([...before, ...during])
  }
  expect(await leader.ids('shared')).toEqual([...before, ...during]) // its listeners as well
  expect(await leader.tab.evaluate(() => window.harness.loop('shared'), undefined)).toEqual({
    taken: [during[0]],
    error: undefined,
  })
  expect(sse.connections()).toHaveLength(1)
})

test('a second SharedEventSource in a page whose stream is open is CONNECTING until its open event, as a native one is', async ({
  engine,
  sse,
  sseServer,
}) => {
  const {followers} = await sharedStream(engine, sseServer.url, sse, 2, 1)
  const tab = followers[0]!
  const created = await tab.tab.evaluate(
    ([url, init]) => {
      window.harness.open('native', url, {}, {native: true})
      window.harness.open('second', url, init, {shared: true})
      return [window.harness.readyState('native'), window.harness.readyState('second')]
    },
    [streamUrl(sse), {...fast, shareKey: 'e2e'}] as const,
  )
  expect(created).toEqual([0, 0])
  for (const label of ['native', 'second']) await expect.poll(async () => (await tab.trace(label))[0]).toBe('open 1')
  expect(sse.connections()).toHaveLength(2) // the shared stream's, and the native one's
})
