// The three engines of the e2e suite, what a test can make each of them do, and the per-test `Engine`.
import type {Browser, BrowserContext, Page} from '@playwright/test'
import {PlaywrightTab, type Tab} from './tab'
import type {WebKitBrowser, WebKitDriver} from './webkit'

/** Playwright's `browserName` of each project: `webkit` is WebKitGTK through WebKitWebDriver (engines/webkit.ts). */
export type EngineName = 'chromium' | 'firefox' | 'webkit'

/**
 * What a test can make an engine do beyond the `Tab` operations. A test that needs one carries its tag (`needs`);
 * the projects of the engines that lack it leave the test out (playwright.config.ts).
 */
export interface Capabilities {
  /** Playwright's `page.clock`: the page's timers run when the test says so. */
  clock: boolean
  /** Playwright's `context.setOffline`: `navigator.onLine`, `offline`/`online`, and new requests fail. */
  offline: boolean
  /** `Tab.setHidden`: `document.visibilityState` and `visibilitychange`. */
  visibility: boolean
  /** Playwright's page API beyond the `Tab` (locators, page events): the specs of the demo and the React example. */
  playwrightPage: boolean
}

export const capabilities: Record<EngineName, Capabilities> = {
  chromium: {clock: true, offline: true, visibility: false, playwrightPage: true},
  firefox: {clock: true, offline: true, visibility: false, playwrightPage: true},
  // WebDriver has no clock and no network emulation; minimizing MiniBrowser's window hides the page.
  webkit: {clock: false, offline: false, visibility: true, playwrightPage: false},
}

/** The tag of a test that needs a capability. */
export const needs: Record<keyof Capabilities, string> = {
  clock: '@needs-clock',
  offline: '@needs-offline',
  visibility: '@needs-visibility',
  playwrightPage: '@needs-playwright-page',
}

/** The tag of a test that only Chromium can run (CDP, Chromium's launch options, Chromium's own behaviour). */
export const chromiumOnly = '@chromium-only'

/** The tag of a test of the Firefox set-up itself (engines/firefox-launcher.mjs). */
export const firefoxOnly = '@firefox-only'

/** The tags a project of `engine` leaves out. */
export function tagsLeftOut(engine: EngineName): string[] {
  const lacking = Object.entries(capabilities[engine]).filter(([, can]) => !can)
  return [
    ...(engine === 'chromium' ? [] : [chromiumOnly]),
    ...(engine === 'firefox' ? [] : [firefoxOnly]),
    ...lacking.map(([name]) => needs[name as keyof Capabilities]),
  ]
}

/**
 * The browser of one test, in any engine: its first tab and more tabs of the same profile (they share Web Locks,
 * BroadcastChannel and storage). In Chromium and Firefox it is a Playwright browser context, the one behind the
 * `context` and `page` fixtures; in WebKit, a MiniBrowser of its own.
 */
export interface Engine {
  readonly name: EngineName
  /** The first tab (Playwright's `page`). */
  firstTab(): Promise<Tab>
  /** Another tab of the same profile. */
  newPage(): Promise<Tab>
}

/** Chromium and Firefox: a context of the worker's Playwright browser. */
export class PlaywrightEngine implements Engine {
  private first: Promise<Page> | undefined

  private constructor(
    readonly name: EngineName,
    readonly context: BrowserContext,
  ) {}

  /** A new context of `browser`, with the config's context options (Playwright applies them to every context). */
  static async open(name: EngineName, browser: Browser): Promise<PlaywrightEngine> {
    return new PlaywrightEngine(name, await browser.newContext())
  }

  /** The Playwright page of the first tab. */
  page(): Promise<Page> {
    return (this.first ??= this.context.newPage())
  }

  async firstTab(): Promise<Tab> {
    return new PlaywrightTab(await this.page())
  }

  async newPage(): Promise<Tab> {
    return new PlaywrightTab(await this.context.newPage())
  }

  close(): Promise<void> {
    return this.context.close()
  }
}

/** WebKitGTK: a MiniBrowser of the worker's WebKitWebDriver, started on first use. */
export class WebKitEngine implements Engine {
  readonly name = 'webkit'
  private browser: Promise<WebKitBrowser> | undefined

  constructor(private readonly driver: WebKitDriver) {}

  private launched(): Promise<WebKitBrowser> {
    return (this.browser ??= this.driver.launch())
  }

  async firstTab(): Promise<Tab> {
    return (await this.launched()).firstTab()
  }

  async newPage(): Promise<Tab> {
    return (await this.launched()).newTab()
  }

  async close(): Promise<void> {
    if (this.browser) await (await this.browser).close()
  }
}
