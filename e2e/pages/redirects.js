// Loaded by redirects.html: opens native and Holdfast sources on a URL that redirects, and reports what each one
// saw. Plain JSON in and out, with no test framework in the page, so that any driver (Playwright, classic WebDriver)
// runs the same matrix in its engine: e2e/support/redirect-matrix.ts holds the expectations.
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
  const entry = {source, log: [], fetched, waiters: new Set()}
  const push = (event, extra) => {
    entry.log.push({type: event.type, readyState: source.readyState, ...extra})
    for (const waiter of entry.waiters) waiter()
  }
  source.addEventListener('open', (event) => push(event, {}))
  source.addEventListener('error', (event) => push(event, event.error ? {code: event.error.code} : {}))
  source.addEventListener('message', (event) =>
    push(event, {data: event.data, lastEventId: event.lastEventId, origin: event.origin}),
  )
  sources.set(label, entry)
}

/**
 * What `label`'s source saw: its `url`, `readyState`, every event as `{type, readyState, …}`, and the URLs its custom
 * fetch was called with (`holdfast-fetch` only).
 */
function report(label) {
  const {source, log, fetched} = sources.get(label)
  return {url: source.url, readyState: source.readyState, log: [...log], fetched: [...fetched]}
}

/**
 * Resolves once `label`'s source has fired exactly `want.messages` messages, is in `want.readyState` and has fired
 * at least `want.errors` errors (each may be left out), checked at each event it fires: a driver that runs one script
 * at a time (WebDriver) waits without polling. Rejects after `timeoutMs` with what the source fired.
 */
function until(label, want, timeoutMs = 10_000) {
  const entry = sources.get(label)
  const count = (type) => entry.log.filter((event) => event.type === type).length
  const done = () =>
    (want.messages === undefined || count('message') === want.messages) &&
    (want.readyState === undefined || entry.source.readyState === want.readyState) &&
    (want.errors === undefined || count('error') >= want.errors)
  return new Promise((resolve, reject) => {
    const waiter = () => {
      if (!done()) return
      entry.waiters.delete(waiter)
      clearTimeout(timer)
      resolve()
    }
    const timer = setTimeout(() => {
      entry.waiters.delete(waiter)
      const seen = entry.log.map((event) => [event.type, event.code ?? event.data].filter(Boolean).join(' '))
      reject(new Error(`${label}: no ${JSON.stringify(want)} within ${timeoutMs} ms; it fired: ${seen.join(', ')}`))
    }, timeoutMs)
    entry.waiters.add(waiter)
    waiter()
  })
}

window.redirects = {ready: true, open, report, until, close: (label) => sources.get(label)?.source.close()}
