// Redirects in Chromium, Holdfast beside the native EventSource in the same page (issue 19): for every case, the
// requests each URL counted (one per hop; CORS preflights are not stream requests and are not counted), which of
// the caller's headers and the page's cookie each origin saw, the messages' origin, `url`, and where reconnections
// went. The cases and expectations are data (support/redirect-matrix.ts); the page side is pages/redirects.js.
import {createTestServer, type ChannelScope, type Fault, type TestServer} from '@holdfast/test-server'
import type {Page} from '@playwright/test'
import {expect, fast, test as base} from '../fixtures'
import {
  behaviour,
  callerHeaders,
  cases,
  expectedRequests,
  expectedTrace,
  summary,
  title,
  trace,
  type ClientName,
  type RedirectCase,
  type Report,
} from '../support/redirect-matrix'

const ENGINE = 'chromium'
/** The server's `retry:` hint, the same as Holdfast's `retryDelay`: native and Holdfast reconnect alike. */
const RETRY = {retryMs: fast.retryDelay}

declare global {
  interface Window {
    redirects: {
      ready: boolean
      open(label: string, client: ClientName, url: string, init: object, fetchHeaders: object): void
      report(label: string): Report
      close(label: string): void
    }
  }
}

const test = base.extend<
  {page: Page; channelOn: (server: TestServer, name: string) => ChannelScope},
  {origins: {other: TestServer; strict: TestServer}}
>({
  // Two more origins: `other` allows the page's origin and every header by CORS; `strict` allows no request
  // header but Last-Event-ID (an origin that never agreed to the page's X-Api-Key).
  origins: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const other = await createTestServer({heartbeatMs: 250})
      const strict = await createTestServer({heartbeatMs: 250, cors: {headers: ['Last-Event-ID']}})
      await use({other, strict})
      await Promise.all([other.close(), strict.close()])
    },
    {scope: 'worker'},
  ],
  // The page, with a cookie of its own origin (127.0.0.1: the other origins' host too, on other ports).
  page: async ({page, context, sseServer}, use) => {
    await context.addCookies([{name: 'session', value: '1', url: sseServer.url}])
    await page.goto(`${sseServer.url}/pages/redirects.html`)
    await page.waitForFunction(() => window.redirects?.ready)
    await use(page)
  },
  // Channels of this test on any of the servers, disposed after it.
  channelOn: async ({sse}, use) => {
    const scopes: ChannelScope[] = []
    await use((server, name) => {
      const scope = server.scope(`${sse.channel}-${name}`)
      scopes.push(scope)
      return scope
    })
    for (const scope of scopes) scope.dispose()
  },
})

/** Makes `named` redirect to `final` from now on (`once`: one redirect, then 410 Gone on every later request). */
function redirect(named: ChannelScope, final: ChannelScope, test: Pick<RedirectCase, 'status' | 'once'>): void {
  const fault: Fault = {type: 'status', status: test.status, headers: {Location: final.streamUrl(RETRY)}}
  named.inject(test.once ? fault : {...fault, times: 'all'})
  if (test.once) named.inject({type: 'status', status: 410, times: 'all'})
}

/** The options of Holdfast's clients for a case (native takes none). */
function init(test: RedirectCase, client: ClientName): object {
  const post = test.method === 'POST' ? {method: 'POST', body: 'prompt', retryNonGet: true} : {}
  return {...fast, ...post, headers: callerHeaders[client].init}
}

/** Waits, in the page, until `client` has `want.messages` messages, or is in `want.readyState`. */
async function until(page: Page, client: ClientName, want: {messages?: number; readyState?: number}): Promise<void> {
  await page.waitForFunction(
    ([label, {messages, readyState}]) => {
      const report = window.redirects.report(label)
      const count = report.log.filter((entry) => entry.type === 'message').length
      return (
        (messages === undefined || count === messages) && (readyState === undefined || report.readyState === readyState)
      )
    },
    [client, want] as const,
  )
}

/** Publishes `data` on `scope` and waits until the client has `count` messages. */
async function deliver(
  page: Page,
  client: ClientName,
  scope: ChannelScope,
  data: string,
  count: number,
): Promise<void> {
  scope.publish(data)
  await until(page, client, {messages: count})
}

/**
 * Runs one case for one client on its own channels: opens it on the named URL; a plain first stream when the
 * redirect comes on a reconnection; then a stream on the final URL, ended by the server, and the reconnection after
 * it (or, a once-only redirect to another origin for Holdfast, its end on the 410).
 */
async function drive(
  page: Page,
  test: RedirectCase,
  client: ClientName,
  named: ChannelScope,
  final: ChannelScope,
): Promise<Report> {
  if (test.when === 'first') redirect(named, final, test)
  const {fetch} = callerHeaders[client]
  await page.evaluate(([c, u, i, f]) => window.redirects.open(c, c, u, i, f), [
    client,
    named.streamUrl(RETRY),
    init(test, client),
    fetch,
  ] as const)
  let count = 0
  if (test.when === 'reconnection') {
    const first = await named.nextConnection()
    await deliver(page, client, named, 'named 1', ++count)
    redirect(named, final, test)
    named.inject({type: 'end'}, {connection: first.id})
  }
  const stream = await final.nextConnection()
  await deliver(page, client, final, 'final 1', ++count)
  final.inject({type: 'end'}, {connection: stream.id})
  if (test.once && behaviour(client, ENGINE).reconnectsTo[test.where] === 'named') {
    await until(page, client, {readyState: 2})
  } else {
    await final.nextConnection()
    await deliver(page, client, final, 'final 2', count + 1)
  }
  const report = await page.evaluate((label) => window.redirects.report(label), client)
  await page.evaluate((label) => window.redirects.close(label), client)
  return report
}

for (const redirectCase of cases) {
  const clients: ClientName[] =
    redirectCase.method === 'POST' ? ['holdfast', 'holdfast-fetch'] : ['native', 'holdfast', 'holdfast-fetch']
  test(`${title(redirectCase)}: ${clients.join(', ')}`, async ({page, sseServer, origins, channelOn}) => {
    const runs = await Promise.all(
      clients.map(async (client) => {
        const named = channelOn(sseServer, `${client}-named`)
        const final = channelOn(redirectCase.where === 'same' ? sseServer : origins.other, `${client}-final`)
        return {client, named, final, report: await drive(page, redirectCase, client, named, final)}
      }),
    )
    for (const {client, named, final, report} of runs) {
      const counted = {named: named.connections().map(summary), final: final.connections().map(summary)}
      expect(counted, `${client}: the requests each URL counted`).toEqual(
        expectedRequests(redirectCase, client, ENGINE),
      )
      expect(trace(report), `${client}: what it fired`).toEqual(
        expectedTrace(redirectCase, client, ENGINE, {named: named.url, final: final.url}),
      )
      expect(report.url, `${client}: [spec] url is the URL it was given`).toBe(named.streamUrl(RETRY))
      // Holdfast itself addresses only the named origin: every call of the custom fetch goes there.
      for (const url of report.fetched) expect(new URL(url).origin).toBe(sseServer.url)
    }
  })
}

test('another origin that allows no custom header: native streams, Holdfast with X-Api-Key never reaches it', async ({
  page,
  sseServer,
  origins,
  channelOn,
}) => {
  const redirectCase: RedirectCase = {status: 307, where: 'other', when: 'first', method: 'GET'}
  const named = (client: ClientName): ChannelScope => channelOn(sseServer, `${client}-named`)
  const final = (client: ClientName): ChannelScope => channelOn(origins.strict, `${client}-final`)
  // Native and Holdfast with Authorization alone (added by a custom fetch, dropped on the hop) need no consent.
  for (const client of ['native', 'holdfast-fetch'] as const) {
    const [n, f] = [named(client), final(client)]
    const report = await drive(page, redirectCase, client, n, f)
    expect({named: n.connections().map(summary), final: f.connections().map(summary)}).toEqual(
      expectedRequests(redirectCase, client, ENGINE),
    )
    expect(trace(report)).toEqual(expectedTrace(redirectCase, client, ENGINE, {named: n.url, final: f.url}))
  }
  // Holdfast with X-Api-Key: the hop's preflight is refused, so the attempt fails as a network error and is retried;
  // the strict origin never receives the request, nor the header.
  const [n, f] = [named('holdfast'), final('holdfast')]
  redirect(n, f, redirectCase)
  await page.evaluate(([u, i]) => window.redirects.open('holdfast', 'holdfast', u, i, {}), [
    n.streamUrl(RETRY),
    init(redirectCase, 'holdfast'),
  ] as const)
  await n.nextConnection()
  await n.nextConnection()
  const report = await page.evaluate(() => window.redirects.report('holdfast'))
  await page.evaluate(() => window.redirects.close('holdfast'))
  expect(n.connections().map(summary).slice(0, 2)).toEqual([
    'GET 307 authorization x-api-key cookie',
    'GET 307 authorization x-api-key cookie',
  ])
  expect(new Set(trace(report))).toEqual(new Set(['error network']))
  expect(report.readyState).toBe(0) // retrying
  expect(f.connections()).toEqual([])
})
