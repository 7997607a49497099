// Pages of one browser context that share a stream with SharedEventSource (see tests/shared*.spec.ts).
import type {Page} from '@playwright/test'
import type {ChannelScope} from '@holdfast/test-server'
import type {Tab} from '../engines/tab'
import {expect, fast, Harness, publish, streamUrl} from '../fixtures'

/** Where the tabs come from: a Playwright `BrowserContext` (Chromium, Firefox), or the `engine` fixture (any engine). */
export interface TabSource {
  newPage(): Promise<Page | Tab>
}

/** A one-second idle timeout (the server's heartbeats come four times a second) also bounds a silent leader. */
const init = {...fast, shareKey: 'e2e'}

/** Opens `count` pages of `context`, each with a SharedEventSource labelled `shared` on the channel's stream. */
export async function openTabs(
  context: TabSource,
  origin: string,
  sse: ChannelScope,
  count: number,
): Promise<Harness[]> {
  const tabs: Harness[] = []
  for (let i = 0; i < count; i++) {
    const harness = new Harness(await context.newPage())
    await harness.goto(origin)
    await harness.open('shared', streamUrl(sse), init, {shared: true})
    tabs.push(harness)
  }
  for (const tab of tabs) await expect.poll(() => tab.readyState('shared')).toBe(1)
  return tabs
}

/** The one tab that leads, and the others. */
export async function roles(tabs: Harness[]): Promise<{leader: Harness; followers: Harness[]}> {
  const found = await Promise.all(tabs.map((tab) => tab.role('shared')))
  expect(found.filter((role) => role === 'leader')).toHaveLength(1)
  expect(found.filter((role) => role === 'follower')).toHaveLength(tabs.length - 1)
  const index = found.indexOf('leader')
  return {leader: tabs[index]!, followers: tabs.filter((_, i) => i !== index)}
}

/** The ids every one of `tabs` must have received, each once and in order. */
export async function expectEveryTab(tabs: Harness[], ids: string[]): Promise<void> {
  for (const tab of tabs) await expect.poll(() => tab.ids('shared')).toEqual(ids)
}

/**
 * `count` tabs sharing the channel's stream, `events` events delivered to every one of them: the start of every
 * hand-over test. Returns the tabs by role, the ids delivered and the leader's stream (the one open now: on a busy
 * machine an idle timeout may have replaced the first).
 */
export async function sharedStream(context: TabSource, origin: string, sse: ChannelScope, count: number, events = 5) {
  const tabs = await openTabs(context, origin, sse, count)
  const {leader, followers} = await roles(tabs)
  const before = publish(sse, events)
  await expectEveryTab(tabs, before)
  const [first] = sse.connections().filter((connection) => connection.state === 'open')
  expect(first, 'one open stream, the leader’s').toBeDefined()
  return {tabs, leader, followers, before, first: first!}
}
