// Loaded by harness.html: the built ESM bundle of @holdfast/client, plus a recorder the tests read back.
import {EventSource as HoldfastEventSource, HoldfastError} from '/client/index.js'
import {events} from '/client/iterate.js'
import {autoTransport, pollTransport} from '/client/polling.js'
import {SharedEventSource} from '/client/shared.js'
import {record, summarize} from './record.js'

/** Whether this page came back from the back/forward cache (`pageshow` with `persisted`). */
const page = {restored: false}
addEventListener('pageshow', (event) => (page.restored ||= event.persisted))

const sources = new Map()

/**
 * Options that cannot cross `page.evaluate` as JSON (functions), by name. Each gets a `note` that records what it
 * did in the source's log, between the events.
 */
const presets = {
  // Long polls behind a proxy that buffers: detected (autoTransport) or always (pollTransport), with the defaults.
  'auto-transport': () => ({transport: autoTransport()}),
  // Polls of 500 ms whatever the idle timeout, detected: a long idle timeout leaves a busy machine time for each poll.
  'auto-transport-500ms': () => ({transport: autoTransport({pollTimeout: 500})}),
  'poll-transport': () => ({transport: pollTransport()}),
  // Polls of 500 ms whatever the idle timeout: a long one leaves a busy machine time to pass each poll on.
  'poll-transport-500ms': () => ({transport: pollTransport({pollTimeout: 500})}),
  // A bearer token that a 401 refreshes: shouldRetry refreshes it and retries, headers reads it before every attempt.
  'token-refresh': (note) => {
    let token = 1
    return {
      headers: () => ({Authorization: `Bearer token-${token}`}),
      shouldRetry: (error) => {
        if (error.status !== 401) return undefined
        token++
        note('token-refresh', `token-${token}`)
        return true
      },
    }
  },
}

/** A source in a dedicated worker: the worker records, the page keeps the log. */
function openInWorker(url, init, types, log) {
  const worker = new Worker(new URL('./worker.js', import.meta.url), {type: 'module'})
  const state = {readyState: 0, scope: undefined}
  worker.onmessage = ({data}) => {
    if (data.entry) log.push(data.entry)
    if (data.readyState !== undefined) state.readyState = data.readyState
    if (data.scope) state.scope = data.scope
  }
  worker.postMessage({open: {url, init, types}})
  return {
    get readyState() {
      return state.readyState
    },
    get scope() {
      return state.scope
    },
    close: () => worker.postMessage({close: true}),
  }
}

/**
 * Opens a source and records everything it fires under `label`. `how`: `native` for the browser's own EventSource,
 * `shared` for a SharedEventSource (its role changes are logged as `rolechange` entries),
 * `types` to record besides `message`, `preset` for function options (above), `summary` to keep counts only (see
 * record.js), `worker` to run it in a dedicated worker.
 */
function open(
  label,
  url,
  init = {},
  {native = false, shared = false, types = [], preset, summary = false, worker = false} = {},
) {
  const log = []
  let source
  const note = (type, data) => log.push({type, readyState: source.readyState, data})
  const options = preset ? {...init, ...presets[preset](note)} : init
  if (worker) source = openInWorker(url, options, types, log)
  else {
    const Source = native
      ? (globalThis.NativeEventSource ?? window.EventSource)
      : shared
        ? SharedEventSource
        : HoldfastEventSource
    source = new Source(url, options)
    if (!summary) record(source, types, (entry) => log.push(entry))
    if (shared) source.addEventListener('rolechange', () => log.push({type: 'rolechange', data: source.role}))
  }
  sources.set(label, {source, log, summary: summary ? summarize(source) : undefined})
  return label
}

/** `for await` loops over the sources, by label: each takes a message when told to (`take`), and no sooner. */
const loops = new Map()

/** Starts a loop over `label`'s source (`events(source, options)`) that takes nothing until `take` is called. */
function iterate(label, options) {
  const iterator = events(sources.get(label).source, options)
  const loop = {
    taken: [],
    error: undefined,
    take: () =>
      iterator.next().then(
        ({done, value}) => void (done || loop.taken.push(value.lastEventId)),
        (error) => void (loop.error = error.code),
      ),
  }
  loops.set(label, loop)
}

window.harness = {
  ready: true,
  HoldfastError,
  open,
  log: (label) => sources.get(label)?.log ?? [],
  summary: (label) => sources.get(label)?.summary,
  source: (label) => sources.get(label)?.source,
  stats: (label) => sources.get(label)?.source.stats,
  close: (label) => sources.get(label)?.source.close(),
  readyState: (label) => sources.get(label)?.source.readyState,
  scope: (label) => sources.get(label)?.source.scope,
  role: (label) => sources.get(label)?.source.role,
  iterate,
  /** The loop over `label` takes one message (when one comes). */
  take: (label) => void loops.get(label)?.take(),
  /** What the loop over `label` took (message ids), and the code of the error it ended with. */
  loop: (label) => ({taken: loops.get(label)?.taken, error: loops.get(label)?.error}),
  get restored() {
    return page.restored
  },
}
