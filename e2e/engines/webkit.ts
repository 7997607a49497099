// WebKitGTK for the cross-engine specs: MiniBrowser driven through WebKitWebDriver (classic WebDriver; Playwright
// cannot drive WebKitGTK), on an Xvfb display of its own (MiniBrowser has no headless mode).
import {spawn, type ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {freePort} from '../../scripts/free-port.mjs'
import type {Tab} from './tab'
import {driverReady, WebDriverSession} from './webdriver'

const DRIVER = process.env.WEBKIT_WEBDRIVER_PATH || 'WebKitWebDriver'
const XVFB = process.env.XVFB_PATH || 'Xvfb'

/** Starts `command` in a process group of its own, so that stopping it also stops what it started (MiniBrowser). */
function startGroup(command: string, args: string[], env: NodeJS.ProcessEnv, extraFds = 0): ChildProcess {
  const stdio: Array<'ignore' | 'pipe'> = ['ignore', 'ignore', 'pipe', ...Array<'pipe'>(extraFds).fill('pipe')]
  const child = spawn(command, args, {stdio, env, detached: true})
  let output = ''
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)))
  child.once('error', () => {})
  Object.defineProperty(child, 'output', {get: () => output})
  return child
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const exited = once(child, 'exit')
  try {
    process.kill(-child.pid, 'SIGTERM')
  } catch {
    return
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // gone meanwhile
    }
  }, 3_000)
  await exited
  clearTimeout(timer)
}

function outputOf(child: ChildProcess): string {
  return (child as ChildProcess & {output: string}).output
}

/** Xvfb on a free display, and WebKitWebDriver on a free port with that display: one per Playwright worker. */
export class WebKitDriver {
  private constructor(
    private readonly xvfb: ChildProcess,
    private readonly driver: ChildProcess,
    /** `http://127.0.0.1:port` */
    readonly url: string,
    readonly display: string,
  ) {}

  static async start(): Promise<WebKitDriver> {
    // -displayfd: Xvfb picks a free display itself and writes its number on fd 3.
    const xvfb = startGroup(
      XVFB,
      ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'],
      process.env,
      1,
    )
    const display = await new Promise<string>((resolve, reject) => {
      let text = ''
      ;(xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
        text += chunk.toString()
        if (text.includes('\n')) resolve(`:${text.trim()}`)
      })
      xvfb.once('error', (error) => reject(new Error(`webkit: cannot start ${XVFB}: ${error.message}`)))
      xvfb.once('exit', (code) => reject(new Error(`webkit: ${XVFB} exited with ${code}: ${outputOf(xvfb)}`)))
    })
    const port = await freePort()
    const driver = startGroup(DRIVER, [`--port=${port}`], {...process.env, DISPLAY: display})
    const url = `http://127.0.0.1:${port}`
    const failed = new Promise<never>((_, reject) => {
      driver.once('error', (error) => reject(new Error(`webkit: cannot start ${DRIVER}: ${error.message}`)))
      driver.once('exit', (code) => reject(new Error(`webkit: ${DRIVER} exited with ${code}: ${outputOf(driver)}`)))
    })
    failed.catch(() => {})
    const deadline = Date.now() + 15_000
    while (!(await Promise.race([driverReady(url), failed]))) {
      if (Date.now() > deadline) {
        await Promise.all([stopGroup(driver), stopGroup(xvfb)])
        throw new Error(`webkit: ${DRIVER} did not answer on ${url} within 15 s: ${outputOf(driver)}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    return new WebKitDriver(xvfb, driver, url, display)
  }

  /** A new browser (a MiniBrowser process, a fresh profile), for one test. */
  async launch(): Promise<WebKitBrowser> {
    const session = await WebDriverSession.create(this.url, {})
    await session.setTimeouts({script: 60_000})
    return new WebKitBrowser(session, await session.currentWindow())
  }

  async stop(): Promise<void> {
    await stopGroup(this.driver)
    await stopGroup(this.xvfb)
  }
}

/**
 * One MiniBrowser and its windows. WebDriver addresses one window at a time: every operation of a tab runs in turn,
 * after switching to that tab's window.
 */
export class WebKitBrowser {
  private queue: Promise<unknown> = Promise.resolve()
  private current: string | undefined
  private readonly first: WebKitTab

  constructor(
    readonly session: WebDriverSession,
    firstWindow: string,
  ) {
    this.current = firstWindow
    this.first = new WebKitTab(this, firstWindow)
  }

  /** `MiniBrowser 2.50.6` */
  get version(): string {
    return `${String(this.session.capabilities.browserName)} ${String(this.session.capabilities.browserVersion)}`
  }

  /** The window the session started with. */
  firstTab(): WebKitTab {
    return this.first
  }

  /**
   * A new top-level window (not a tab: MiniBrowser's background tabs are hidden, and the specs' tabs all stand for
   * pages the user can see). Shares the profile: Web Locks, BroadcastChannel, storage.
   */
  async newTab(): Promise<WebKitTab> {
    const {handle} = await this.run(undefined, () => this.session.newWindow('window'))
    return new WebKitTab(this, handle)
  }

  /** Runs `operation` once every earlier one has settled, with `handle`'s window current (if given). */
  run<T>(handle: string | undefined, operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(async () => {
      if (handle !== undefined && this.current !== handle) {
        await this.session.switchTo(handle)
        this.current = handle
      }
      return operation()
    })
    this.queue = result.catch(() => {})
    return result
  }

  /** Forgets the current window (after it was closed). */
  closed(handle: string): void {
    if (this.current === handle) this.current = undefined
  }

  async close(): Promise<void> {
    await this.queue
    await this.session.delete()
  }
}

/**
 * Runs in the page through `Execute Async Script`: evaluates the function's source, calls it with the argument, and
 * answers with a JSON text, so that `undefined` survives (as a missing `value`) and errors come back as text.
 */
const EVALUATE = `
const [source, arg, done] = arguments
new Promise((resolve) => resolve((0, eval)('(' + source + ')')(arg))).then(
  (value) => done(JSON.stringify({value})),
  (error) => done(JSON.stringify({error: error instanceof Error ? error.name + ': ' + error.message : String(error)})),
)`

/** A MiniBrowser window as a `Tab`. */
export class WebKitTab implements Tab {
  constructor(
    private readonly browser: WebKitBrowser,
    readonly handle: string,
  ) {}

  goto(url: string): Promise<void> {
    return this.browser.run(this.handle, () => this.browser.session.navigate(url))
  }

  async evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<Awaited<R>> {
    const reply = await this.browser.run(this.handle, () =>
      this.browser.session.executeAsync<string>(EVALUATE, [fn.toString(), arg]),
    )
    const {value, error} = JSON.parse(reply) as {value?: Awaited<R>; error?: string}
    if (error !== undefined) throw new Error(`evaluate in WebKit: ${error}`)
    return value as Awaited<R>
  }

  async waitFor(fn: () => unknown): Promise<void> {
    while (!(await this.evaluate(fn, undefined))) await new Promise((resolve) => setTimeout(resolve, 50))
  }

  async close(): Promise<void> {
    await this.browser.run(this.handle, () => this.browser.session.closeWindow())
    this.browser.closed(this.handle)
  }

  async setHidden(hidden: boolean): Promise<void> {
    await this.browser.run(this.handle, () =>
      hidden ? this.browser.session.minimize() : this.browser.session.maximize(),
    )
  }
}
