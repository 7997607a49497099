// SharedEventSource and the back/forward cache, which Playwright turns off: this file's browser is launched with it on
// (Chromium only: its launch options).
import {QUIET_FLAGS} from '../../scripts/chromium-flags.mjs'
import {chromiumOnly} from '../engines/engines'
import {expect, publish, test} from '../fixtures'
import {expectEveryTab, sharedStream} from '../support/tabs'

test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH || undefined,
    args: [...QUIET_FLAGS],
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
  },
})

test(
  'a leader that enters the cache hands over at once; back, it follows and gets what it missed',
  {tag: chromiumOnly},
  async ({context, sse, sseServer}) => {
    const {leader, followers, before, first} = await sharedStream(context, sseServer.url, sse, 2, 5)
    // A same-origin navigation: the page is kept in the cache, frozen, and must not hold the lock meanwhile.
    await leader.page.goto(`${sseServer.url}/pages/record.js`)
    const second = await sse.waitForConnection(undefined, {after: first})
    expect(second.lastEventId).toBe(before.at(-1))
    const during = publish(sse, 5)
    await expectEveryTab(followers, [...before, ...during])
    await leader.page.goBack({waitUntil: 'commit'}) // a page restored from the cache fires no `load`
    await leader.page.waitForFunction(() => window.harness?.ready)
    expect(await leader.restored()).toBe(true) // it came back from the cache, not reloaded
    await expect.poll(() => leader.role('shared')).toBe('follower')
    // What was relayed while it was in the cache comes from the new leader's backlog, before what follows.
    const after = publish(sse, 3)
    await expectEveryTab([leader, ...followers], [...before, ...during, ...after])
    expect(sse.connections()).toHaveLength(2)
  },
)
