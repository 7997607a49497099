// Regenerates docs/demo.png, the README's picture of the demo: a quiet stretch of events, one stall, Holdfast's
// recovery, and the native EventSource still OPEN and silent. `pnpm --filter @holdfast/demo screenshot`.
// Chromium: $CHROMIUM_PATH, else Debian's /usr/bin/chromium, else Playwright's own.
import {chromium} from '@playwright/test'
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {ensureBuilt} from './lib/build.mjs'

const OUTPUT = fileURLToPath(new URL('../../docs/demo.png', import.meta.url))
/** Events (at 4 a second) before the fault, so that the chart has a steady line to break. */
const EVENTS_BEFORE = 80
/** Events Holdfast receives after catching up, so that the chart shows the recovery. */
const EVENTS_AFTER = 24

ensureBuilt((line) => console.log(line))
const {startDemo} = await import('./lib/demo-server.mjs')
const demo = await startDemo({port: 0})
const executablePath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].find((path) => path && existsSync(path))
const browser = await chromium.launch({executablePath, args: ['--no-sandbox', '--disable-gpu']})
try {
  const page = await browser.newPage({viewport: {width: 1280, height: 900}, colorScheme: 'light'})
  await page.goto(demo.url)
  /** @param {string} panel @param {string} name */
  const stat = (panel, name) => page.locator(`[data-panel="${panel}"] [data-stat="${name}"]`)
  /** @param {string} panel */
  const lastId = async (panel) => Number(await stat(panel, 'last-id').textContent())
  /** @param {() => Promise<boolean>} condition @param {string} what */
  const until = async (condition, what, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
      await page.waitForTimeout(100)
    }
  }

  await until(async () => (await lastId('holdfast')) > 0, 'the first event')
  const start = await lastId('holdfast')
  await until(async () => (await lastId('holdfast')) >= start + EVENTS_BEFORE, 'a steady stretch of events')
  await page.getByRole('button', {name: 'Stall', exact: true}).click()
  await until(async () => (await stat('native', 'last-event').getAttribute('data-silent')) === 'true', 'the stall')
  const stalledAt = await lastId('native')
  await until(async () => (await lastId('holdfast')) > stalledAt + EVENTS_AFTER, "Holdfast's recovery")
  await page.mouse.move(0, 0)
  await page.screenshot({path: OUTPUT, fullPage: true})
  console.log(`Wrote ${OUTPUT}`)
} finally {
  await browser.close()
  await demo.close()
}
