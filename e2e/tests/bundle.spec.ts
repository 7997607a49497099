import {readFileSync} from 'node:fs'
import {needs} from '../engines/engines'
import {expect, test} from '../fixtures'

/** The figures the docs quote (`pnpm figures`): the client README's CDN tag among them. */
const figures = JSON.parse(readFileSync(new URL('../../docs/figures.json', import.meta.url), 'utf8')) as {
  client: {script: {jsdelivr: string; tag: string}}
}

test('the built ESM bundle runs in the browser and receives events from the test server', async ({harness, sse}) => {
  await harness.open('feed', sse.url)
  const connection = await sse.nextConnection()
  expect(connection.headers['accept']).toBe('text/event-stream')
  await expect.poll(() => harness.readyState('feed')).toBe(1)
  sse.publish('one')
  sse.publish({event: 'update', data: {n: 2}})
  sse.publish('three')
  await expect.poll(() => harness.messages('feed')).toEqual(['one', 'three'])
  const log = await harness.log('feed')
  expect(log.map((entry) => entry.type)).toEqual(['open', 'message', 'message'])
  expect(log.filter((entry) => entry.type === 'message').map((entry) => entry.lastEventId)).toEqual(['1', '3'])
})

test('the script-tag build exposes the Holdfast global to a page without a bundler', async ({
  engine,
  sse,
  sseServer,
}) => {
  const tab = await engine.firstTab()
  await tab.goto(`${sseServer.url}/pages/script-tag.html`)
  const global = await tab.evaluate(() => Object.keys((window as unknown as {Holdfast: object}).Holdfast).sort(), null)
  expect(global).toEqual([
    'ConnectionErrorEvent',
    'EventSource',
    'HoldfastError',
    'OpenEvent',
    'ReconnectingEvent',
    'SharedEventSource',
    'TransportChangeEvent',
    'autoTransport',
    'defaultOptions',
    'events',
    'json',
    'parseWith',
    'pollTransport',
  ])
  await tab.evaluate((url) => (window as unknown as {startStream(url: string): void}).startStream(url), sse.url)
  await sse.nextConnection()
  sse.publish('from a script tag')
  await expect
    .poll(() => tab.evaluate(() => (window as unknown as {received: string[]}).received, null))
    .toEqual(['from a script tag'])
})

test(
  "the client README's CDN tag runs the script-tag build, and the browser refuses a file that differs from it",
  {tag: needs.playwrightPage},
  async ({browser}) => {
    const built = readFileSync(new URL('../../packages/client/dist/holdfast.min.js', import.meta.url))
    /** Loads a page holding the tag, in a context of its own (no cache), whose CDN answers `file`; the global's type. */
    const holdfast = async (file: Buffer): Promise<string> => {
      const context = await browser.newContext()
      try {
        const page = await context.newPage()
        let requests = 0
        await page.route(figures.client.script.jsdelivr, (route) => {
          requests++
          return route.fulfill({
            body: file,
            contentType: 'text/javascript',
            headers: {'Access-Control-Allow-Origin': '*'},
          })
        })
        await page.setContent(`<!doctype html><html><head>${figures.client.script.tag}</head></html>`)
        expect(requests).toBe(1)
        return await page.evaluate(() => typeof (window as unknown as {Holdfast?: unknown}).Holdfast)
      } finally {
        await context.close()
      }
    }
    // The CDN's answer is the local build (no network here): what the published file will be.
    expect(await holdfast(built), 'the tag names the built file (if not: `pnpm figures`)').toBe('object')
    expect(await holdfast(Buffer.concat([built, Buffer.from('\n')]))).toBe('undefined')
  },
)
