// Loaded by redirects.html: opens native and Holdfast sources on a URL that redirects, and reports what each one
// saw. Plain JSON in and out, with no test framework in the page, so that any driver (Playwright, WebDriver BiDi,
// classic WebDriver) can run the same matrix in its engine: e2e/support/redirect-matrix.ts holds the expectations.
import {EventSource as HoldfastEventSource} from '/client/index.js'

const sources = new Map()

/**
 * The clients of the matrix, by name. `init` is JSON (Holdfast's options); `fetchHeaders` are headers that the
 * `holdfast-fetch` client adds in a custom `fetch`, the way the `eventsource` package's users add `Authorization`;
 * `fetched` receives the URL of every call of that fetch.
 */
const clients = {
  native: (url, init) => new EventSource(url, {withCredentials: !!init.withCredentials}),
  holdfast: (url, init) => new HoldfastEventSource(url, init),
  'holdfast-fetch': (url, init, fetchHeaders, fetched) =>
    new HoldfastEventSource(url, {
      ...init,
      fetch: (input, request) => {
        fetched.push(String(input))
        return fetch(input, {...request, headers: {...request.headers, ...fetchHeaders}})
      },
    }),
}

/** Opens `client` on `url` under `label` and records, in order, what it fires. */
function open(label, client, url, init = {}, fetchHeaders = {}) {
  const fetched = []
  const source = clients[client](url, init, fetchHeaders, fetched)
  const log = []
  const push = (event, extra) => log.push({type: event.type, readyState: source.readyState, ...extra})
  source.addEventListener('open', (event) => push(event, {}))
  source.addEventListener('error', (event) => push(event, event.error ? {code: event.error.code} : {}))
  source.addEventListener('message', (event) =>
    push(event, {data: event.data, lastEventId: event.lastEventId, origin: event.origin}),
  )
  sources.set(label, {source, log, fetched})
}

/**
 * What `label`'s source saw: its `url`, `readyState`, every event as `{type, readyState, …}`, and the URLs its custom
 * fetch was called with (`holdfast-fetch` only).
 */
function report(label) {
  const {source, log, fetched} = sources.get(label)
  return {url: source.url, readyState: source.readyState, log: [...log], fetched: [...fetched]}
}

window.redirects = {ready: true, open, report, close: (label) => sources.get(label)?.source.close()}
