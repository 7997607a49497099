// Redirects in every engine, Holdfast beside the native EventSource in the same page (issue 19): for every case, the
// requests each URL counted (one per hop), the CORS preflights the other origin answered, which of the caller's
// headers and the page's cookie each origin saw, the messages' origin, `url`, and where reconnections went. The
// cases and expectations are data (support/redirect-matrix.ts, and engines/differences.ts where an engine's native
// source differs); the page side is pages/redirects.js, driven through the engines' common `Tab`.
import {createTestServer, type ChannelScope, type Fault, type TestServer} from '@holdfast/test-server'
import type {EngineName} from '../engines/engines'
import type {Tab} from '../engines/tab'
import {expect, fast, test as base} from '../fixtures'
import {Preflights} from '../support/preflights'
import {
  allowedBy,
  cases,
  callerHeaders,
  firstHopAsks,
  preflightLine,
  expectedRequests,
  expectedTrace,
  reconnectsTo,
  summary,
  title,
  trace,
  type ClientName,
  type Counted,
  type RedirectCase,
  type Report,
} from '../support/redirect-matrix'

/** The server's `retry:` hint, the same as Holdfast's `retryDelay`: native and Holdfast reconnect alike. */
const RETRY = {retryMs: fast.retryDelay}
/** The only request header the strict origin allows. */
const STRICT_HEADERS = ['Last-Event-ID']

declare global {
  interface Window {
    redirects: {
      ready: boolean
      open(label: string, client: ClientName, url: string, init: object, fetchHeaders: object): void
      report(label: string): Report
      until(label: string, want: Want): Promise<void>
      close(label: string): void
    }
  }
}

/** What `until` waits for: exactly this many messages, this readyState, at least this many errors (any of them). */
interface Want {
  messages?: number
  readyState?: number
  errors?: number
}

const test = base.extend<
  {
    tab: Tab
    channelOn: (server: TestServer, name: string) => ChannelScope
    preflights: Preflights
  },
  {origins: {other: TestServer; strict: TestServer}}
>({
  // Two more origins: `other` allows the page's origin and every header by CORS; `strict` allows no request
  // header but Last-Event-ID (an origin that never agreed to the page's X-Api-Key).
  origins: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const other = await createTestServer({heartbeatMs: 250})
      const strict = await createTestServer({heartbeatMs: 250, cors: {headers: STRICT_HEADERS}})
      await use({other, strict})
      await Promise.all([other.close(), strict.close()])
    },
    {scope: 'worker'},
  ],
  // The page, with a cookie of its own origin (127.0.0.1: the other origins' host too, on other ports), set by the
  // page itself: WebKit has no Playwright context to add one.
  tab: async ({engine, sseServer}, use) => {
    const tab = await engine.firstTab()
    await tab.goto(`${sseServer.url}/pages/redirects.html`)
    await tab.waitFor(() => window.redirects?.ready)
    await tab.evaluate(() => void (document.cookie = 'session=1; path=/'), undefined)
    await use(tab)
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
  // eslint-disable-next-line no-empty-pattern
  preflights: async ({}, use) => {
    const preflights = new Preflights()
    await use(preflights)
    preflights.dispose()
  },
})

/** Makes `named` redirect to `final` from now on (`once`: one redirect, then 410 Gone on every later request). */
function redirect(named: ChannelScope, final: ChannelScope, test: Pick<RedirectCase, 'status' | 'once'>): void {
  const fault: Fault = {type: 'status', status: test.status, headers: {Location: final.streamUrl(RETRY)}}
  named.inject(test.once ? fault : {...fault, times: 'all'})
  if (test.once) named.inject({type: 'status', status: 410, times: 'all'})
}

/**
 * The options of Holdfast's clients for a case (native takes none). No idle watchdog: the server ends every stream
 * of the matrix, and a watchdog that fired on a busy machine would add a request that the counts do not expect.
 */
function init(test: RedirectCase, client: ClientName): object {
  const post = test.method === 'POST' ? {method: 'POST', body: 'prompt', retryNonGet: true} : {}
  return {...fast, idleTimeout: 0, ...post, headers: callerHeaders[client].init}
}

/** Opens `client`'s source on the named URL, with the case's options and the caller's headers. */
async function open(tab: Tab, test: RedirectCase, client: ClientName, named: ChannelScope): Promise<void> {
  await tab.evaluate(([c, u, i, f]) => window.redirects.open(c, c, u, i, f), [
    client,
    named.streamUrl(RETRY),
    init(test, client),
    callerHeaders[client].fetch,
  ] as const)
}

/** Waits, in the page, for what `want` says of `client`'s source (pages/redirects.js `until`). */
async function until(tab: Tab, client: ClientName, want: Want): Promise<void> {
  await tab.evaluate(([label, w]) => window.redirects.until(label, w), [client, want] as const)
}

/** Publishes `data` on `scope` and waits until the client has `count` messages. */
async function deliver(tab: Tab, client: ClientName, scope: ChannelScope, data: string, count: number): Promise<void> {
  scope.publish(data)
  await until(tab, client, {messages: count})
}

/** What `client`'s source reported, after which it is closed. */
async function finish(tab: Tab, client: ClientName): Promise<Report> {
  const report = await tab.evaluate((label) => window.redirects.report(label), client)
  await tab.evaluate((label) => window.redirects.close(label), client)
  return report
}

/**
 * Runs one case for one client on its own channels: opens it on the named URL; a plain first stream when the
 * redirect comes on a reconnection; then a stream on the final URL, ended by the server, and the reconnection after
 * it (or, when that goes through a once-only redirect, its end on the 410).
 */
async function drive(
  tab: Tab,
  test: RedirectCase,
  client: ClientName,
  named: ChannelScope,
  final: ChannelScope,
  engine: EngineName,
): Promise<Report> {
  if (test.when === 'first') redirect(named, final, test)
  await open(tab, test, client, named)
  let count = 0
  if (test.when === 'reconnection') {
    const first = await named.nextConnection()
    await deliver(tab, client, named, 'named 1', ++count)
    redirect(named, final, test)
    named.inject({type: 'end'}, {connection: first.id})
  }
  const stream = await final.nextConnection()
  await deliver(tab, client, final, 'final 1', ++count)
  final.inject({type: 'end'}, {connection: stream.id})
  if (test.once && reconnectsTo(test, client, engine) === 'named') {
    await until(tab, client, {readyState: 2})
  } else {
    await final.nextConnection()
    await deliver(tab, client, final, 'final 2', count + 1)
  }
  return finish(tab, client)
}

/** What the named and final URLs counted: their stream requests, and the preflights the final URL answered. */
function counted(named: ChannelScope, final: ChannelScope, preflights: Preflights): Counted {
  return {
    named: named.connections().map(summary),
    final: final.connections().map(summary),
    preflights: preflights.to(final.streamUrl(RETRY)),
  }
}

for (const redirectCase of cases) {
  const clients: ClientName[] =
    redirectCase.method === 'POST' ? ['holdfast', 'holdfast-fetch'] : ['native', 'holdfast', 'holdfast-fetch']
  test(`${title(redirectCase)}: ${clients.join(', ')}`, async ({
    tab,
    engine,
    sseServer,
    origins,
    channelOn,
    preflights,
  }) => {
    const runs = await Promise.all(
      clients.map(async (client) => {
        const named = channelOn(sseServer, `${client}-named`)
        const final = channelOn(redirectCase.where === 'same' ? sseServer : origins.other, `${client}-final`)
        return {client, named, final, report: await drive(tab, redirectCase, client, named, final, engine.name)}
      }),
    )
    for (const {client, named, final, report} of runs) {
      expect(counted(named, final, preflights), `${client}: the requests each URL counted`).toEqual(
        expectedRequests(redirectCase, client, engine.name),
      )
      expect(trace(report), `${client}: what it fired`).toEqual(
        expectedTrace(redirectCase, client, engine.name, {named: named.url, final: final.url}),
      )
      expect(report.url, `${client}: [spec] url is the URL it was given`).toBe(named.streamUrl(RETRY))
      // Holdfast itself addresses only the named origin: every call of the custom fetch goes there.
      for (const url of report.fetched) expect(new URL(url).origin).toBe(sseServer.url)
    }
  })
}

test('another origin that allows no custom header: native streams, a request that needs its consent never reaches it', async ({
  tab,
  engine,
  sseServer,
  origins,
  channelOn,
  preflights,
}) => {
  const redirectCase: RedirectCase = {status: 307, where: 'other', when: 'first', method: 'GET'}
  const refused: ClientName[] = []
  for (const client of ['native', 'holdfast-fetch', 'holdfast'] as const) {
    const [named, final] = [channelOn(sseServer, `${client}-named`), channelOn(origins.strict, `${client}-final`)]
    const asked = firstHopAsks(client, engine.name)
    if (!asked || asked.every((name) => allowedBy(STRICT_HEADERS, asked).includes(name))) {
      // Native, and Holdfast with Authorization alone (added by a custom fetch, dropped on the hop), need no consent
      // where the hop's preflight does not ask for the dropped header.
      const report = await drive(tab, redirectCase, client, named, final, engine.name)
      expect(counted(named, final, preflights), `${client}: the requests each URL counted`).toEqual(
        expectedRequests(redirectCase, client, engine.name, STRICT_HEADERS),
      )
      expect(trace(report), `${client}: what it fired`).toEqual(
        expectedTrace(redirectCase, client, engine.name, {named: named.url, final: final.url}),
      )
      continue
    }
    // The hop's preflight is refused, so the attempt fails as a network error and is retried; the strict origin
    // never receives the request, nor the header. A refused preflight is not reused: each attempt asks again.
    refused.push(client)
    redirect(named, final, redirectCase)
    await open(tab, redirectCase, client, named)
    await until(tab, client, {errors: 2})
    const report = await finish(tab, client)
    const [first] = expectedRequests(redirectCase, client, engine.name).named
    const seen = counted(named, final, preflights)
    expect(seen.named.slice(0, 2), `${client}: the named URL's requests`).toEqual([first, first])
    expect(seen.preflights.slice(0, 2), `${client}: the preflights`).toEqual(Array(2).fill(preflightLine('GET', asked)))
    expect(new Set(trace(report)), `${client}: what it fired`).toEqual(new Set(['error network']))
    expect(report.readyState).toBe(0) // retrying
    expect(final.connections()).toEqual([])
  }
  // X-Api-Key always needs the other origin's consent.
  expect(refused).toContain('holdfast')
})
