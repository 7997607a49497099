// Eight tabs on one origin. Over HTTP/1.1 a browser keeps at most six connections per origin, and every open stream
// holds one for good: the seventh tab's stream (and anything else the tab asks for) waits for a free connection.
// Over HTTP/2 every request of the origin shares one connection, and the limit is gone; with SharedEventSource the
// eight tabs share one stream, and the limit is never reached.
import type {Page} from '@playwright/test'
import type {Tab} from '../engines/tab'
import {expect, fast, Harness, publish, streamUrl, test} from '../fixtures'

const TABS = 8

/** Opens `count` tabs of one context on the harness, one after the other (each load takes a connection too). */
async function openTabs(newPage: () => Promise<Page | Tab>, origin: string, count: number): Promise<Harness[]> {
  const tabs: Harness[] = []
  for (let i = 0; i < count; i++) {
    const harness = new Harness(await newPage())
    await harness.goto(origin)
    tabs.push(harness)
  }
  return tabs
}

/** The protocols Chromium used for the page and its script, from the Resource Timing entries. */
function protocolsOf(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map(
      (entry) => (entry as PerformanceResourceTiming).nextHopProtocol,
    ),
  )
}

test(
  'over HTTP/2, eight tabs each stream with native EventSource and Holdfast, and all receive everything',
  {
    tag: '@http2-only',
  },
  async ({context, sse, sseServer}) => {
    expect(sseServer.protocol).toBe('h2')
    const tabs = await openTabs(() => context.newPage(), sseServer.url, TABS)
    for (const tab of tabs) {
      await tab.open('native', streamUrl(sse), {}, {native: true})
      await tab.open('holdfast', streamUrl(sse), fast)
    }
    // Sixteen streams at once from one origin: far past HTTP/1.1's six.
    await expect.poll(() => sse.connections().filter((c) => c.state === 'open').length).toBe(2 * TABS)
    const ids = publish(sse, 3)
    for (const tab of tabs) {
      await expect.poll(() => tab.ids('native')).toEqual(ids)
      await expect.poll(() => tab.ids('holdfast')).toEqual(ids)
      expect(await tab.readyState('native')).toBe(1)
    }
    // Chromium's own account agrees with the server's records (fixtures.ts checks those): h2 for the page and script.
    for (const tab of tabs) expect(new Set(await protocolsOf(tab.page))).toEqual(new Set(['h2']))
    expect(sse.connections().every((c) => c.protocol === 'h2')).toBe(true)
  },
)

test(
  'over HTTP/1.1, the seventh tab’s native stream never opens while six others hold the connections',
  {
    tag: '@http1-only',
  },
  async ({engine, sse, sseServer, request}) => {
    expect(sseServer.protocol).toBe('http/1.1')
    const tabs = await openTabs(() => engine.newPage(), sseServer.url, TABS)
    const [first, second, third, , , sixth, seventh, eighth] = tabs as [Harness, ...Harness[]] & Harness[]

    // Six tabs, one stream each, one after the other: the server sees each one arrive.
    for (const [index, tab] of tabs.slice(0, 6).entries()) {
      await tab.open('native', streamUrl(sse), {}, {native: true})
      await expect.poll(() => sse.connections().length).toBe(index + 1)
    }
    // The seventh and eighth tabs ask for a stream, and the seventh for a small file besides.
    await seventh!.open('native', streamUrl(sse), {}, {native: true})
    await eighth!.open('native', streamUrl(sse), {}, {native: true})
    await seventh!.tab.evaluate(() => {
      const state = {done: false}
      Object.assign(window, {smallFetch: state})
      void fetch('/pages/record.js', {cache: 'no-store'}).then(() => (state.done = true))
    }, null)

    // A known event reaches the six open tabs: the browser has had every chance to send the queued requests.
    const ids = publish(sse, 1)
    for (const tab of tabs.slice(0, 6)) await expect.poll(() => tab.ids('native')).toEqual(ids)
    expect(await seventh!.readyState('native')).toBe(0)
    expect(await eighth!.readyState('native')).toBe(0)
    expect(
      await seventh!.tab.evaluate(() => (window as unknown as {smallFetch: {done: boolean}}).smallFetch.done, null),
    ).toBe(false)
    // The server never saw the seventh stream: asked over the control API, from outside the browser.
    const answer = await request.get(`${sseServer.url}/control/connections?channel=${sse.channel}`)
    expect(((await answer.json()) as {connections: unknown[]}).connections).toHaveLength(6)
    expect(sse.connections().map((c) => c.protocol)).toEqual(Array(6).fill('http/1.1'))

    // Three tabs let go of their streams: the queued requests get the connections, and nothing was lost.
    for (const tab of [first, second, third]) await tab!.close('native')
    await expect.poll(() => seventh!.readyState('native')).toBe(1)
    await expect.poll(() => eighth!.readyState('native')).toBe(1)
    await expect
      .poll(() =>
        seventh!.tab.evaluate(() => (window as unknown as {smallFetch: {done: boolean}}).smallFetch.done, null),
      )
      .toBe(true)
    await expect.poll(() => sse.connections().filter((c) => c.state === 'open').length).toBe(5)
    expect(await sixth!.ids('native')).toEqual(ids)
  },
)

test(
  'over HTTP/1.1, eight tabs sharing one stream with SharedEventSource: every tab receives it and loads normally',
  {
    tag: '@http1-only',
  },
  async ({engine, sse, sseServer}) => {
    expect(sseServer.protocol).toBe('http/1.1')
    const tabs = await openTabs(() => engine.newPage(), sseServer.url, TABS)
    for (const tab of tabs) await tab.open('shared', streamUrl(sse), fast, {shared: true})
    for (const tab of tabs) await expect.poll(() => tab.readyState('shared')).toBe(1)
    const roles = await Promise.all(tabs.map((tab) => tab.role('shared')))
    expect(roles.filter((role) => role === 'leader')).toHaveLength(1)
    // One connection for the eight tabs' stream; the seventh tab's small file loads at once.
    const loaded = await tabs[6]!.tab.evaluate(
      async () => (await fetch('/pages/record.js', {cache: 'no-store'})).ok,
      null,
    )
    expect(loaded).toBe(true)
    const ids = publish(sse, 3)
    for (const tab of tabs) await expect.poll(() => tab.ids('shared')).toEqual(ids)
    expect(sse.connections()).toHaveLength(1)
  },
)
