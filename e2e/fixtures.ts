import {expect, test as base} from '@holdfast/test-server/playwright'
import type {ChannelScope, ConnectionRecord} from '@holdfast/test-server'
import type {Browser, Page} from '@playwright/test'
import {PlaywrightEngine, WebKitEngine, type Engine, type EngineName} from './engines/engines'
import {PlaywrightTab, type Tab} from './engines/tab'
import {WebKitDriver} from './engines/webkit'

/** One recorded event, as pages/record.js logs it. */
export interface Entry {
  type: string
  readyState: number
  data?: string
  lastEventId?: string
  code?: string
  status?: number
  attempt?: number
  delay?: number
}

/** What pages/record.js keeps in summary mode: counts per type, and how the ids ran. */
export interface Summary {
  counts: Record<string, number>
  /** The last message id, as a number. */
  lastId: number
  /** Messages whose id was not the previous one plus one (a gap, a repeat or a reordering). */
  outOfOrder: number
  maxDelay: number
}

/** How `Harness.open` opens a source. */
export interface OpenHow {
  /** The browser's own EventSource instead of Holdfast's. */
  native?: boolean
  /** Event types to record besides `message`. */
  types?: string[]
  /** Function options, by name (see `presets` in pages/harness.js). */
  preset?: 'token-refresh' | 'auto-transport' | 'auto-transport-500ms' | 'poll-transport' | 'poll-transport-500ms'
  /** Keep a constant-size summary instead of a log (for heap measurements). */
  summary?: boolean
  /** Run the source in a dedicated Web Worker. */
  worker?: boolean
  /** A SharedEventSource, shared with the other pages of the context. */
  shared?: boolean
}

/**
 * Options for fast, exactly predictable reconnects: no jitter, a short reconnection time (the server's `retry:`
 * says the same, see `streamUrl`), an idle timeout four heartbeats long.
 */
export const fast = {retryDelay: 50, jitter: 0, maxRetryDelay: 400, idleTimeout: 1_000} as const

/** The stream URL with the same 50 ms reconnection time in its `retry:` hint, for Holdfast and native alike. */
export function streamUrl(sse: ChannelScope): string {
  return sse.streamUrl({retryMs: fast.retryDelay})
}

/**
 * An entry as one line, the unit of the traces tests compare: `open 1`, `message 1 id=3`, `error 0 network`,
 * `error 2 http-status 401`, `reconnecting 0 attempt=2 delay=100 http-status`, `token-refresh 0 token-2` (a preset's
 * note). The number is the readyState seen inside the handler.
 */
export function line(entry: Entry): string {
  const parts = [entry.type, String(entry.readyState)]
  if (entry.type === 'reconnecting') parts.push(`attempt=${entry.attempt}`, `delay=${entry.delay}`)
  if (entry.lastEventId !== undefined) parts.push(`id=${entry.lastEventId}`)
  else if (entry.data !== undefined) parts.push(entry.data)
  if (entry.code !== undefined) parts.push(entry.code)
  if (entry.status !== undefined) parts.push(String(entry.status))
  return parts.join(' ')
}

/** Trace lines of `message` events with these ids. */
export function delivered(...ids: Array<number | string>): string[] {
  return ids.map((id) => `message 1 id=${id}`)
}

/** The ids of the events published on the channel, in order. */
export function sentIds(sse: ChannelScope): string[] {
  return sse.events().map((event) => event.id)
}

/** Publishes `count` events (`event 1`, `event 2`… by id) and returns their ids. */
export function publish(sse: ChannelScope, count: number): string[] {
  return Array.from({length: count}, () => {
    const next = sse.events().length + 1
    return sse.publish(`event ${next}`).id
  })
}

/** How `openStreams` opens its sources. */
export interface OpenStreams {
  /** Also open the browser's own EventSource, as `native`, first (with these extra `how`s). */
  native?: boolean | Omit<OpenHow, 'native'>
  /** Holdfast's options. @defaultValue `fast` */
  init?: object
  how?: OpenHow
  /** Events to publish and see delivered to every source before returning. @defaultValue 2 */
  events?: number
}

/**
 * The start of most tests: opens Holdfast as `holdfast` (after the native source as `native`, if asked), waits for
 * each one's stream, publishes `events` events and waits until every source has them. Returns each one's stream.
 */
export async function openStreams(
  harness: Harness,
  sse: ChannelScope,
  {native = false, init = fast, how = {}, events = 2}: OpenStreams = {},
): Promise<{holdfast: ConnectionRecord; native: ConnectionRecord | undefined}> {
  let nativeStream: ConnectionRecord | undefined
  if (native) {
    await harness.open('native', streamUrl(sse), {}, {...(native === true ? {} : native), native: true})
    nativeStream = await sse.nextConnection()
  }
  await harness.open('holdfast', streamUrl(sse), init, how)
  const holdfast = await sse.nextConnection()
  const ids = publish(sse, events)
  for (const label of native ? ['native', 'holdfast'] : ['holdfast'])
    await expect.poll(() => harness.ids(label)).toEqual(ids)
  return {holdfast, native: nativeStream}
}

/** What the server saw of each stream request, in arrival order: the status answered and the Last-Event-ID. */
export function requests(records: ConnectionRecord[]): Array<{status: number | undefined; lastEventId?: string}> {
  return records.map(({status, lastEventId}) => ({status, ...(lastEventId === undefined ? {} : {lastEventId})}))
}

/**
 * Drives pages/harness.html in a tab of any engine (see engines/tab.ts): opens sources in the page and reads back what
 * they fired.
 */
export class Harness {
  readonly tab: Tab

  /** On a tab, or on a Playwright page (Chromium, Firefox). */
  constructor(page: Page | Tab) {
    this.tab = 'mainFrame' in page ? new PlaywrightTab(page) : page
  }

  /** The Playwright page behind the tab; there is none in WebKit (a test that needs it is not for every engine). */
  get page(): Page {
    if (!this.tab.page) throw new Error('this engine has no Playwright page: use harness.tab, or tag the test')
    return this.tab.page
  }

  /** Loads the harness from `origin` (a proxy in front of the test server, another server). */
  async goto(origin: string): Promise<void> {
    await this.tab.goto(`${origin}/pages/harness.html`)
    await this.tab.waitFor(() => window.harness?.ready)
  }

  /** Opens a Holdfast (or native) source in the page; `init` must be JSON (see `OpenHow.preset` for functions). */
  async open(label: string, url: string, init: object = {}, how: OpenHow = {}): Promise<void> {
    await this.tab.evaluate(([l, u, i, h]) => window.harness.open(l, u, i, h), [label, url, init, how] as const)
  }

  log(label: string): Promise<Entry[]> {
    return this.tab.evaluate((l) => window.harness.log(l), label)
  }

  /** The log as trace lines (see `line`). */
  async trace(label: string): Promise<string[]> {
    return (await this.log(label)).map(line)
  }

  /** The data of every message event so far, in order. */
  async messages(label: string): Promise<string[]> {
    return (await this.log(label)).filter((entry) => entry.lastEventId !== undefined).map((entry) => entry.data!)
  }

  /** The lastEventId of every message event so far, in order. */
  async ids(label: string): Promise<string[]> {
    return (await this.log(label)).filter((entry) => entry.type === 'message').map((entry) => entry.lastEventId!)
  }

  summary(label: string): Promise<Summary> {
    return this.tab.evaluate((l) => window.harness.summary(l)!, label)
  }

  stats(label: string): Promise<{connections: number; reconnects: number; messages: number}> {
    return this.tab.evaluate((l) => window.harness.stats(l)!, label)
  }

  readyState(label: string): Promise<number> {
    return this.tab.evaluate((l) => window.harness.readyState(l), label)
  }

  /** The name of the global scope a worker source runs in. */
  scope(label: string): Promise<string | undefined> {
    return this.tab.evaluate((l) => window.harness.scope(l), label)
  }

  close(label: string): Promise<void> {
    return this.tab.evaluate((l) => window.harness.close(l), label)
  }

  /** A SharedEventSource's role in this page. */
  role(label: string): Promise<string | undefined> {
    return this.tab.evaluate((l) => window.harness.role(l), label)
  }

  /** Whether the page came back from the back/forward cache. */
  restored(): Promise<boolean> {
    return this.tab.evaluate(() => window.harness.restored, undefined)
  }
}

declare global {
  interface Window {
    harness: {
      ready: boolean
      open(label: string, url: string, init: object, how: OpenHow): string
      log(label: string): Entry[]
      summary(label: string): Summary | undefined
      stats(label: string): {connections: number; reconnects: number; messages: number} | undefined
      readyState(label: string): number
      scope(label: string): string | undefined
      close(label: string): void
      role(label: string): string | undefined
      /** A `for await` loop over `label`'s source (`events(source, options)`) that takes a message on `take` only. */
      iterate(label: string, options: {bufferSize?: number; stallTimeout?: number}): void
      take(label: string): void
      /** The ids the loop took, and the code of the error it ended with. */
      loop(label: string): {taken: string[] | undefined; error: string | undefined}
      /** The source itself (a Holdfast one has `subscribe` and `transport`). */
      source(
        label: string,
      ): {subscribe(listener: (message: {type: string; data: string}) => void): void; transport?: string} | undefined
      readonly restored: boolean
    }
  }
}

/** A browser Playwright does not have (WebKitGTK): any use of it says what to do instead. */
function noPlaywrightBrowser(engine: EngineName): Browser {
  return new Proxy({} as Browser, {
    get(_, property) {
      throw new Error(
        `browser.${String(property)}: Playwright cannot drive ${engine} here; a test for every engine uses the ` +
          '`engine` and `harness` fixtures (not `browser`, `context` or `page`), or carries a tag that leaves it out',
      )
    },
  })
}

export const test = base.extend<
  {harness: Harness; negotiated: void; engine: Engine},
  {webkitDriver: WebKitDriver | undefined}
>({
  // Playwright's own browser, except in the webkit project: there, WebKitWebDriver (below) and no Playwright browser.
  browser: [
    async ({playwright, browserName}, use) => {
      if (browserName === 'webkit') return use(noPlaywrightBrowser(browserName))
      // As Playwright's fixture does: the config's launch options apply to every launch.
      const browser = await playwright[browserName].launch()
      await use(browser)
      await browser.close()
    },
    {scope: 'worker', timeout: 0},
  ],
  webkitDriver: [
    async ({browserName}, use) => {
      if (browserName !== 'webkit') return use(undefined)
      const driver = await WebKitDriver.start()
      await use(driver)
      await driver.stop()
    },
    {scope: 'worker', timeout: 0},
  ],
  // The test's browser in any engine. In Chromium and Firefox, `context` and `page` are its context and first tab, so
  // that a test may mix Playwright's API (page.clock) with the harness.
  engine: async ({browser, browserName, webkitDriver}, use) => {
    const engine = webkitDriver ? new WebKitEngine(webkitDriver) : await PlaywrightEngine.open(browserName, browser)
    await use(engine)
    await engine.close()
  },
  context: async ({engine}, use) => {
    if (!(engine instanceof PlaywrightEngine)) throw new Error(`${engine.name} has no Playwright context`)
    await use(engine.context)
  },
  page: async ({engine}, use) => {
    if (!(engine instanceof PlaywrightEngine)) throw new Error(`${engine.name} has no Playwright page`)
    await use(await engine.page())
  },
  harness: async ({engine, sseServer}, use) => {
    const harness = new Harness(await engine.firstTab())
    await harness.goto(sseServer.url)
    await use(harness)
  },
  // On an HTTP/2 server (the http2 project), every stream request of the test must have come in over h2: a silent
  // fallback to HTTP/1.1 would prove nothing about HTTP/2.
  negotiated: [
    async ({sse, sseServer}, use) => {
      await use()
      if (sseServer.protocol !== 'h2') return
      const other = sse.connections().filter((connection) => connection.protocol !== 'h2')
      expect(
        other.map(({id, protocol}) => `${id} ${protocol}`),
        'stream requests not over h2',
      ).toEqual([])
    },
    {auto: true},
  ],
})

export {expect}
