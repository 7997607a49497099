// The demo page: the native EventSource and Holdfast side by side on one live channel, fault buttons, a chart.
import {defaultOptions} from '@holdfast/client'
import {SharedEventSource} from '@holdfast/client/shared'
import {createChart, niceCeiling} from './chart.js'
import {createFaults} from './faults.js'
import {createSimulatedNetwork} from './network.js'
import {createPanel, seconds} from './panel.js'

/** @typedef {{channel: string, tickMs: number, heartbeatMs: number, retryMs: number, restartMs: number}} DemoConfig */

const RETRY_AFTER_SECONDS = 3
const WINDOW_MS = 60_000

/** @param {string} selector */
function $(selector) {
  const found = document.querySelector(selector)
  if (!(found instanceof HTMLElement || found instanceof SVGElement)) throw new Error(`The page has no ${selector}`)
  return found
}

/** @returns {Promise<DemoConfig>} */
async function loadConfig() {
  try {
    const response = await fetch('/demo/config')
    if (!response.ok) throw new Error(`GET /demo/config answered ${response.status}`)
    return await response.json()
  } catch (error) {
    $('#server-status').textContent =
      `Cannot start: ${/** @type {Error} */ (error).message}. Is the page served by \`pnpm demo\`?`
    throw error
  }
}

const config = await loadConfig()
const startedAt = performance.now()
const now = () => performance.now()
const stamp = (/** @type {number} */ time) => `+${seconds(time - startedAt)}`
const network = createSimulatedNetwork()

// Lively but honest: the watchdog is three heartbeats, as the README advises, and the backoff cap is short
// enough to watch. Everything else is Holdfast's default. The leading tab's options run the shared connection.
const holdfastOptions = {
  idleTimeout: 3 * config.heartbeatMs,
  maxRetryDelay: 10_000,
  environment: network,
}

/** @param {string} client */
const streamUrl = (client) => `/sse/${encodeURIComponent(config.channel)}?client=${client}`

for (const element of document.querySelectorAll('[data-config]')) {
  const key = /** @type {keyof DemoConfig} */ (/** @type {HTMLElement} */ (element).dataset.config)
  element.textContent = String(config[key])
}
$('[data-options]').textContent = [
  `new SharedEventSource('${streamUrl('holdfast')}', {`,
  `  idleTimeout: ${holdfastOptions.idleTimeout}, // 3 × the ${config.heartbeatMs} ms heartbeat (default ${defaultOptions.idleTimeout})`,
  `  maxRetryDelay: ${holdfastOptions.maxRetryDelay}, // backoff cap (default ${defaultOptions.maxRetryDelay})`,
  `  environment: demoNetwork, // the browser's online state + "Go offline"`,
  `})`,
  `// defaults: retryDelay ${defaultOptions.retryDelay} (the server's retry: ${config.retryMs} replaces it),`,
  `// backoffFactor ${defaultOptions.backoffFactor}, jitter ${defaultOptions.jitter}, retryStatuses ${defaultOptions.retryStatuses.join(', ')}`,
].join('\n')

const body = /** @type {HTMLTemplateElement} */ ($('#panel-body'))
const panels = {
  native: createPanel(/** @type {HTMLElement} */ ($('[data-panel="native"]')), {
    body,
    now,
    stamp,
    reportsReconnects: false,
  }),
  holdfast: createPanel(/** @type {HTMLElement} */ ($('[data-panel="holdfast"]')), {
    body,
    now,
    stamp,
    reportsReconnects: true,
    isOnline: () => network.isOnline(),
  }),
}

/** @type {Array<{time: number, label: string}>} */
let markers = []

/** What the Holdfast panel says of this tab's part in the shared stream. */
const ROLES = {
  leader: 'This tab leads: it runs the one connection and relays it to the other tabs.',
  follower: 'This tab follows: the leading tab relays the stream to it (close that tab and this one takes over).',
  solo: 'This tab runs its own connection (this browser cannot share one across tabs here).',
}
const roleText = $('[data-role]')

function openSources() {
  markers = []
  panels.native.open(() => new globalThis.EventSource(streamUrl('native')))
  panels.holdfast.open(() => {
    const source = new SharedEventSource(streamUrl('holdfast'), holdfastOptions)
    const showRole = () => (roleText.textContent = ROLES[source.role])
    source.addEventListener('rolechange', showRole)
    showRole()
    return source
  })
}

// --- Fault buttons -------------------------------------------------------------------------------------------

const faults = createFaults({channel: config.channel, network, retryAfterSeconds: RETRY_AFTER_SECONDS})
const faultStatus = $('#fault-status')

for (const button of document.querySelectorAll('button[data-fault]')) {
  if (!(button instanceof HTMLButtonElement)) continue
  const action = /** @type {keyof typeof faults} */ (button.dataset.fault)
  button.addEventListener('click', async () => {
    button.disabled = true
    markers = [
      ...markers.filter(({time}) => time > now() - WINDOW_MS),
      {time: now(), label: button.dataset.marker ?? action},
    ]
    try {
      faultStatus.textContent = await faults[action]()
    } catch (error) {
      faultStatus.textContent = `Could not ${button.textContent?.toLowerCase()}: ${/** @type {Error} */ (error).message}`
    } finally {
      button.disabled = false
    }
  })
}
$('#start-over').addEventListener('click', () => {
  openSources()
  faultStatus.textContent = 'Both clients started over with new EventSources (faults still active stay active).'
})

// --- What the server published, for "received / published" -------------------------------------------------

/** @type {number | undefined} */
let published
const serverStatus = $('#server-status')

/** Only a change is written: the status region announces what it says, and should not repeat itself. */
function showServer(/** @type {boolean} */ reachable) {
  if (serverStatus.dataset.reachable === String(reachable)) return
  serverStatus.dataset.reachable = String(reachable)
  serverStatus.textContent = reachable ? 'Demo server reachable.' : 'Demo server unreachable (restarting?).'
}

async function pollServer() {
  try {
    const response = await fetch('/control/channels', {signal: AbortSignal.timeout(2000)})
    const {channels} = /** @type {{channels: Array<{name: string, lastId: string}>}} */ (await response.json())
    const live = channels.find(({name}) => name === config.channel)
    if (live) published = Math.max(published ?? 0, Number(live.lastId))
    showServer(true)
  } catch {
    showServer(false)
  }
}

// --- The loop: numbers and chart, four times a second ------------------------------------------------------

const chart = createChart(/** @type {SVGGElement} */ (/** @type {unknown} */ ($('#chart-data'))))
// Twice the feed's rate: steady delivery sits mid-height; a replay burst after an outage is clipped and labelled.
const chartMax = niceCeiling((2 * 1000) / config.tickMs)

function render() {
  const seen = Math.max(panels.native.lastId() ?? 0, panels.holdfast.lastId() ?? 0)
  const knownPublished = published === undefined ? undefined : Math.max(published, seen)
  panels.native.render(knownPublished)
  panels.holdfast.render(knownPublished)
  const native = panels.native.chartData()
  const holdfast = panels.holdfast.chartData()
  chart.render({
    now: now(),
    windowMs: WINDOW_MS,
    // Native last: its dashed line stays visible where both lines overlap.
    series: [
      {name: 'Holdfast', className: 'line-holdfast', points: holdfast.points},
      {name: 'Native', className: 'line-native', points: native.points},
    ],
    bands: [
      {name: 'Native', transitions: native.transitions},
      {name: 'Holdfast', transitions: holdfast.transitions},
    ],
    markers,
    max: chartMax,
  })
}

openSources()
void pollServer()
setInterval(pollServer, 1000)
setInterval(render, 250)
render()
