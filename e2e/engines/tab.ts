import type {Page} from '@playwright/test'

/**
 * One page of a browser, as the cross-engine specs drive it: the few operations that Playwright (Chromium,
 * Firefox) and classic WebDriver (WebKitGTK) can both do. A spec that only uses these runs in every engine.
 */
export interface Tab {
  /** Navigates and waits for the `load` event. */
  goto(url: string): Promise<void>
  /**
   * Runs `fn(arg)` in the page and resolves with its (awaited) result. As with Playwright's `page.evaluate`, `fn` is
   * sent as source text: it must not close over anything, and `arg` and the result travel as JSON.
   */
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<Awaited<R>>
  /** Waits until `fn()` is truthy in the page. */
  waitFor(fn: () => unknown): Promise<void>
  /** Closes the page (its `pagehide` fires, its locks are released). */
  close(): Promise<void>
  /**
   * Hides or shows the page (`document.visibilityState`), where the engine lets a test do it (WebKitGTK: minimizing
   * the window). Absent elsewhere: see `capabilities` in engines.ts.
   */
  setHidden?(hidden: boolean): Promise<void>
  /** The Playwright page behind this tab (Chromium, Firefox); absent in WebKit. */
  readonly page?: Page
}

/** A Playwright page as a `Tab`. */
export class PlaywrightTab implements Tab {
  constructor(readonly page: Page) {}

  async goto(url: string): Promise<void> {
    await this.page.goto(url)
  }

  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<Awaited<R>> {
    // Our arguments are plain JSON, never Playwright handles: Playwright's `Unboxed<A>` is `A` itself.
    return this.page.evaluate(fn as (arg: unknown) => Promise<Awaited<R>>, arg)
  }

  async waitFor(fn: () => unknown): Promise<void> {
    await this.page.waitForFunction(fn)
  }

  close(): Promise<void> {
    return this.page.close()
  }
}
