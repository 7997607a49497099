// One panel: a client (native or Holdfast) on the live channel, and everything the page shows about it.
import {createIdTracker} from './ids.js'
import {createRateWindow} from './rate-window.js'

export const STATE_NAMES = ['CONNECTING', 'OPEN', 'CLOSED']
const TIMELINE_LIMIT = 60
const RECONNECT_LIMIT = 8

/**
 * The part of EventSource (native and Holdfast alike) the panel uses.
 * @typedef {Pick<EventSource, 'readyState' | 'addEventListener' | 'close'>} Source
 */

/** @param {number} ms */
export const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`

/**
 * @param {HTMLElement} root the panel's `<section>`, with a `[data-panel-body]` placeholder
 * @param {object} options
 * @param {HTMLTemplateElement} options.body what every panel shows (state and numbers), copied into the placeholder
 * @param {() => number} options.now the page's clock (`performance.now`)
 * @param {(ms: number) => string} options.stamp a time as the timeline shows it
 * @param {boolean} options.reportsReconnects whether the source fires `reconnecting` events (the native one does not)
 * @param {() => boolean} [options.isOnline] the network Holdfast sees, to explain why it waits
 */
export function createPanel(root, {body, now, stamp, reportsReconnects, isOnline = () => true}) {
  root.querySelector('[data-panel-body]')?.replaceWith(body.content.cloneNode(true))
  /** @param {string} name */
  const stat = (name) => /** @type {HTMLElement} */ (root.querySelector(`[data-stat="${name}"]`))
  const timeline = /** @type {HTMLOListElement} */ (root.querySelector('[data-timeline]'))
  const reconnectRows = root.querySelector('[data-reconnects]')

  /** @type {Source | undefined} */
  let source
  let ids = createIdTracker()
  const rate = createRateWindow()
  /** @type {Array<{time: number, state: number}>} */
  let transitions = []
  let errors = 0
  let reconnects = 0
  /** @type {number | undefined} */
  let lastEventAt

  /** @param {HTMLElement} element @param {string} text */
  function show(element, text) {
    if (element.textContent !== text) element.textContent = text
  }

  /** @param {string} kind @param {string} label @param {string} [detail] */
  function log(kind, label, detail = '') {
    const item = document.createElement('li')
    const time = document.createElement('time')
    time.textContent = stamp(now())
    const tag = document.createElement('span')
    tag.className = `tag tag-${kind}`
    tag.textContent = label
    item.append(time, ' ', tag, detail ? ` ${detail}` : '')
    timeline.prepend(item)
    while (timeline.children.length > TIMELINE_LIMIT) timeline.lastElementChild?.remove()
  }

  /** Records the source's readyState when it changed; returns true if it did. */
  function noteState() {
    const state = source?.readyState ?? 2
    if (transitions.at(-1)?.state === state) return false
    transitions.push({time: now(), state})
    const stateLabel = stat('state')
    stateLabel.dataset.state = STATE_NAMES[state]?.toLowerCase() ?? 'closed'
    show(stateLabel, `${STATE_NAMES[state]} (${state})`)
    return true
  }

  /** @param {{attempt: number, delay: number, code: string}} reconnect */
  function addReconnect({attempt, delay, code}) {
    reconnects++
    if (!reconnectRows) return
    const row = document.createElement('tr')
    for (const text of [`#${attempt}`, `${delay} ms`, code, stamp(now())]) {
      const cell = document.createElement('td')
      cell.textContent = text
      row.append(cell)
    }
    reconnectRows.prepend(row)
    while (reconnectRows.children.length > RECONNECT_LIMIT) reconnectRows.lastElementChild?.remove()
  }

  /** @param {Source} opened */
  function listen(opened) {
    opened.addEventListener('open', () => {
      if (opened !== source) return
      noteState()
      log('open', 'OPEN', 'stream open')
    })
    opened.addEventListener('message', (event) => {
      if (opened !== source) return
      const verdict = ids.record(/** @type {MessageEvent} */ (event).lastEventId)
      lastEventAt = now()
      rate.add(lastEventAt)
      if (verdict === 'gap' || verdict === 'duplicate')
        log(
          'fault',
          verdict === 'gap' ? 'GAP' : 'DUPLICATE',
          `at id ${/** @type {MessageEvent} */ (event).lastEventId}`,
        )
    })
    opened.addEventListener('error', (event) => {
      if (opened !== source) return
      errors++
      noteState()
      const error = /** @type {{error?: {code: string, status?: number}}} */ (/** @type {unknown} */ (event)).error
      const cause = error ? `${error.code}${error.status ? ` ${error.status}` : ''}` : 'error event (no cause given)'
      const waiting = opened.readyState === 0 && !isOnline() ? '; offline, waiting for online' : ''
      const state = STATE_NAMES[opened.readyState] ?? 'CLOSED'
      log(state === 'CLOSED' ? 'closed' : 'connecting', state, `${cause}${waiting}`)
    })
    opened.addEventListener('reconnecting', (event) => {
      if (opened !== source) return
      const {attempt, delay, error} = /** @type {import('@holdfast/client').ReconnectingEvent} */ (
        /** @type {unknown} */ (event)
      )
      addReconnect({attempt, delay, code: error.code})
      log('reconnect', `RETRY #${attempt}`, `in ${delay} ms`)
    })
    for (const type of ['replay-gap', 'shutdown'])
      opened.addEventListener(type, (event) => {
        if (opened === source) log('server', 'SERVER', `${type}: ${/** @type {MessageEvent} */ (event).data}`)
      })
  }

  return {
    /** Closes the current source, if any, and starts over with a fresh one and fresh counters. @param {() => Source} create */
    open(create) {
      source?.close()
      ids = createIdTracker()
      rate.clear()
      transitions = []
      errors = 0
      reconnects = 0
      lastEventAt = undefined
      timeline.replaceChildren()
      reconnectRows?.replaceChildren()
      source = create()
      listen(source)
      noteState()
      log('connecting', 'CONNECTING', 'new EventSource')
    },
    /** The events per second since the source was created, and its states, for the chart. */
    chartData() {
      const since = transitions[0]?.time ?? now()
      return {points: rate.series(now()).filter(({time}) => time >= since), transitions}
    },
    /** The highest id received so far. */
    lastId: () => ids.stats().lastId,
    /** Updates the numbers; `published` is the channel's last id as far as the page knows. @param {number | undefined} published */
    render(published) {
      noteState()
      const {received, lastId, gaps, missing, duplicates} = ids.stats()
      show(stat('received'), `${received} / ${published ?? '…'}`)
      const behind = published === undefined || lastId === undefined ? undefined : Math.max(0, published - lastId)
      show(stat('behind'), behind === undefined ? '–' : String(behind))
      show(stat('last-id'), lastId === undefined ? '–' : String(lastId))
      show(stat('gaps'), String(gaps))
      show(stat('missing'), String(missing))
      show(stat('duplicates'), String(duplicates))
      show(stat('errors'), String(errors))
      show(stat('reconnects'), reportsReconnects ? String(reconnects) : 'not reported')
      const silent = lastEventAt === undefined ? undefined : now() - lastEventAt
      const lastEvent = stat('last-event')
      show(lastEvent, silent === undefined ? 'none yet' : `${seconds(silent)} ago`)
      lastEvent.dataset.silent = String(silent !== undefined && silent > 2000)
    },
  }
}
