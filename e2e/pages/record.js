// Shared by harness.js (the page) and worker.js (a dedicated worker): what a source fires, as plain JSON entries.

/**
 * Records everything `source` fires, in order, as `{type, readyState, data?, lastEventId?, code?, status?,
 * attempt?, delay?}` entries handed to `push`. `message` and the extra `types` are recorded as message events.
 */
export function record(source, types, push) {
  const entry = (event, extra = {}) => push({type: event.type, readyState: source.readyState, ...extra})
  source.addEventListener('open', (event) => entry(event))
  source.addEventListener('error', (event) => entry(event, {code: event.error?.code, status: event.error?.status}))
  source.addEventListener('reconnecting', (event) =>
    entry(event, {attempt: event.attempt, delay: event.delay, code: event.error.code}),
  )
  // A transport strategy's switch, as `transportchange <readyState> <transport> <reason>`.
  source.addEventListener('transportchange', (event) => entry(event, {data: `${event.transport} ${event.reason}`}))
  for (const type of ['message', ...types])
    source.addEventListener(type, (event) => entry(event, {data: event.data, lastEventId: event.lastEventId}))
}

/**
 * A constant-size summary instead of a log, for soak runs whose heap is measured: counts per type, and whether the
 * message ids ran 1, 2, 3… without a gap or a repeat.
 */
export function summarize(source) {
  const summary = {counts: {}, lastId: 0, outOfOrder: 0, maxDelay: 0}
  const count = (type) => (summary.counts[type] = (summary.counts[type] ?? 0) + 1)
  source.addEventListener('open', () => count('open'))
  source.addEventListener('error', () => count('error'))
  source.addEventListener('reconnecting', (event) => {
    count('reconnecting')
    summary.maxDelay = Math.max(summary.maxDelay, event.delay)
  })
  source.addEventListener('message', (event) => {
    count('message')
    const id = Number(event.lastEventId)
    if (id !== summary.lastId + 1) summary.outOfOrder++
    summary.lastId = id
  })
  return summary
}
