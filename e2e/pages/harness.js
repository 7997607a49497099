// Loaded by harness.html: the built ESM bundle of @holdfast/client, plus a recorder the tests read back.
import {EventSource as HoldfastEventSource, HoldfastError} from '/client/index.js'

const logs = new Map()

/**
 * Opens a source (Holdfast's, or the native one with `native: true`) and records everything it fires under
 * `label`: `{type, readyState, data?, lastEventId?, code?, attempt?, delay?}` in order.
 */
function open(label, url, init = {}, {native = false, types = []} = {}) {
  const Source = native ? (globalThis.NativeEventSource ?? window.EventSource) : HoldfastEventSource
  const source = new Source(url, init)
  const log = []
  logs.set(label, {source, log})
  const entry = (event, extra = {}) => log.push({type: event.type, readyState: source.readyState, ...extra})
  source.addEventListener('open', (event) => entry(event))
  source.addEventListener('error', (event) => entry(event, {code: event.error?.code, status: event.error?.status}))
  source.addEventListener('reconnecting', (event) =>
    entry(event, {attempt: event.attempt, delay: event.delay, code: event.error.code}),
  )
  for (const type of ['message', ...types])
    source.addEventListener(type, (event) => entry(event, {data: event.data, lastEventId: event.lastEventId}))
  return label
}

window.harness = {
  ready: true,
  HoldfastError,
  open,
  log: (label) => logs.get(label)?.log ?? [],
  source: (label) => logs.get(label)?.source,
  close: (label) => logs.get(label)?.source.close(),
  readyState: (label) => logs.get(label)?.source.readyState,
}
