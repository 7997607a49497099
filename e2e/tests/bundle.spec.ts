import {expect, test} from '../fixtures'

test('the built ESM bundle runs in Chromium and receives events from the test server', async ({harness, sse}) => {
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

test('the script-tag build exposes the Holdfast global to a page without a bundler', async ({page, sse, sseServer}) => {
  await page.goto(`${sseServer.url}/pages/script-tag.html`)
  expect(await page.evaluate(() => Object.keys((window as unknown as {Holdfast: object}).Holdfast).sort())).toEqual([
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
  await page.evaluate((url) => (window as unknown as {startStream(url: string): void}).startStream(url), sse.url)
  await sse.nextConnection()
  sse.publish('from a script tag')
  await expect
    .poll(() => page.evaluate(() => (window as unknown as {received: string[]}).received))
    .toEqual(['from a script tag'])
})
