import {expect, test as base} from '@holdfast/test-server/playwright'
import type {Page} from '@playwright/test'

/** One recorded event, as pages/harness.js logs it. */
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

/** Drives pages/harness.html: opens sources in the page and reads back what they fired. */
export class Harness {
  constructor(readonly page: Page) {}

  /** Opens a Holdfast (or native) source in the page; `init` must be JSON (functions are written in the page). */
  async open(label: string, url: string, init: object = {}, how: {native?: boolean; types?: string[]} = {}) {
    await this.page.evaluate(([l, u, i, h]) => window.harness.open(l, u, i, h), [label, url, init, how] as const)
  }

  log(label: string): Promise<Entry[]> {
    return this.page.evaluate((l) => window.harness.log(l), label)
  }

  /** The data of every message event so far, in order. */
  async messages(label: string): Promise<string[]> {
    return (await this.log(label))
      .filter((entry) => entry.type !== 'open' && entry.data !== undefined)
      .map((e) => e.data!)
  }

  readyState(label: string): Promise<number> {
    return this.page.evaluate((l) => window.harness.readyState(l), label)
  }

  close(label: string): Promise<void> {
    return this.page.evaluate((l) => window.harness.close(l), label)
  }
}

declare global {
  interface Window {
    harness: {
      ready: boolean
      open(label: string, url: string, init: object, how: object): string
      log(label: string): Entry[]
      readyState(label: string): number
      close(label: string): void
    }
  }
}

export const test = base.extend<{harness: Harness}>({
  harness: async ({page, sseServer}, use) => {
    await page.goto(`${sseServer.url}/pages/harness.html`)
    await page.waitForFunction(() => window.harness?.ready)
    await use(new Harness(page))
  },
})

export {expect}
