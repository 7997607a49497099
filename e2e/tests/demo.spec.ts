// `pnpm demo` end to end: start.mjs as a user runs it, the page in Chromium and Firefox, the stall button.
import {expect, test as base, type Locator} from '@playwright/test'
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {needs} from '../engines/engines'

const START = fileURLToPath(new URL('../../examples/demo/start.mjs', import.meta.url))

/** The demo, started on a free port for one test and stopped (SIGTERM, exit code 0) after it. */
const test = base.extend<{demo: {url: string}}>({
  // eslint-disable-next-line no-empty-pattern
  demo: async ({}, use) => {
    // `pnpm build` ran before the e2e suite: no building from inside a test, next to workers that read dist.
    const child = spawn(process.execPath, [START, '--port', '0', '--no-build'], {stdio: ['ignore', 'pipe', 'pipe']})
    let output = ''
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        const found = /Holdfast demo: (http:\/\/\S+)/.exec(output)
        if (found?.[1]) resolve(found[1])
      })
      void exited.then((code) => reject(new Error(`start.mjs exited with ${code} before printing its URL:\n${output}`)))
    })
    await use({url})
    child.kill('SIGTERM')
    expect(await exited, `start.mjs stops cleanly on SIGTERM:\n${output}`).toBe(0)
  },
})

const stat = (panel: Locator, name: string): Locator => panel.locator(`[data-stat="${name}"]`)
const lastId = async (panel: Locator): Promise<number> => Number(await stat(panel, 'last-id').textContent())

test(
  'stall: Holdfast recovers with zero gaps while the native EventSource stays open and silent',
  {tag: needs.playwrightPage},
  async ({page, demo}) => {
    await page.goto(demo.url)
    const native = page.locator('[data-panel="native"]')
    const holdfast = page.locator('[data-panel="holdfast"]')
    for (const panel of [native, holdfast]) {
      await expect(stat(panel, 'state')).toHaveText('OPEN (1)')
      await expect.poll(() => lastId(panel)).toBeGreaterThan(0)
    }

    await page.getByRole('button', {name: 'Stall', exact: true}).click()
    await expect(page.getByRole('status').filter({hasText: 'Stalled'})).toHaveText(/^Stalled 2 open streams/)
    // The server writes nothing more on either stream; once the native panel has been silent for a while, whatever
    // was in flight has landed and its last id is final.
    await expect(stat(native, 'last-event')).toHaveAttribute('data-silent', 'true')
    const nativeLastId = await lastId(native)

    // Holdfast's watchdog notices the silence, it reconnects with Last-Event-ID and catches up past the native one.
    await expect(holdfast.getByRole('row').filter({hasText: 'idle-timeout'}).first()).toBeVisible()
    await expect.poll(() => lastId(holdfast)).toBeGreaterThan(nativeLastId + 4)
    await expect(stat(holdfast, 'state')).toHaveText('OPEN (1)')
    await expect(stat(holdfast, 'last-event')).toHaveAttribute('data-silent', 'false')
    for (const name of ['gaps', 'missing', 'duplicates']) await expect(stat(holdfast, name)).toHaveText('0')

    // The native EventSource still says OPEN, has received nothing since the stall, and never noticed.
    await expect(stat(native, 'state')).toHaveText('OPEN (1)')
    expect(await lastId(native)).toBe(nativeLastId)
    await expect(stat(native, 'last-event')).toHaveAttribute('data-silent', 'true')
    await expect(stat(native, 'errors')).toHaveText('0')
  },
)

test(
  'another tab of the demo follows the first one’s stream, and each says whether it leads or follows',
  {tag: needs.playwrightPage},
  async ({context, page, demo}) => {
    await page.goto(demo.url)
    const role = (tab: typeof page): Locator => tab.locator('[data-panel="holdfast"] [data-role]')
    await expect(role(page)).toContainText('This tab leads')
    const second = await context.newPage()
    await second.goto(demo.url)
    await expect(role(second)).toContainText('This tab follows')
    const holdfast = second.locator('[data-panel="holdfast"]')
    await expect(stat(holdfast, 'state')).toHaveText('OPEN (1)')
    await expect.poll(() => lastId(holdfast)).toBeGreaterThan(0)
    // The first tab closes: the second takes over the stream, with no gap.
    await page.close()
    await expect(role(second)).toContainText('This tab leads')
    const before = await lastId(holdfast)
    await expect.poll(() => lastId(holdfast)).toBeGreaterThan(before)
    for (const name of ['gaps', 'duplicates']) await expect(stat(holdfast, name)).toHaveText('0')
  },
)
