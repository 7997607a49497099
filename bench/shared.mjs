// `pnpm --filter @holdfast/bench shared`: what sharing a stream across tabs costs and saves, in headless Chromium.
//
//   node shared.mjs [--rounds 3] [--tabs 2,4,8] [--no-build]
//
// For N tabs of one browser context on one origin, each with a SharedEventSource on the same stream (and, as the
// baseline, each with an EventSource of its own): the stream connections the server sees; the delivery latency of the
// leader and of a follower (the server stamps every event with its clock, the page subtracts it from its own: one
// machine, one clock); the events per second through a follower against the leader on a burst; and how many events
// each relayed message carried. Every ratio is taken within a round, then the median of the rounds.
import {spawnSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:http'
import {cpus} from 'node:os'
import {parseArgs} from 'node:util'
import {nodeResolve} from '@rollup/plugin-node-resolve'
import {chromium} from 'playwright-core'
import {rollup} from 'rollup'
import {QUIET_FLAGS} from '../scripts/chromium-flags.mjs'
import {chromiumPath} from './lib/chromium.mjs'

const argv = process.argv.slice(2).filter((arg, index) => index > 0 || arg !== '--')
const {values: args} = parseArgs({
  args: argv,
  options: {
    rounds: {type: 'string', default: '3'},
    tabs: {type: 'string', default: '2,4,8'},
    'no-build': {type: 'boolean', default: false},
  },
})
const log = (message) => process.stderr.write(`${message}\n`)
const ROUNDS = Number(args.rounds)
const TAB_COUNTS = args.tabs.split(',').map(Number)
/** Latency: one event every 10 ms, after 200 warm-up events. Throughput: one burst of small events, in one write. */
const LATENCY_EVENTS = 300
const LATENCY_WARM = 200
const BURST = 50_000
/** A browser's connections per origin over HTTP/1.1: past them, a tab's own stream waits. */
const HTTP1_CONNECTIONS = 6

if (!args['no-build']) {
  log('building @holdfast/client…')
  const build = spawnSync('pnpm', ['--filter', '@holdfast/client', 'run', 'build'], {encoding: 'utf8'})
  if (build.status !== 0) throw new Error(`the client build failed:\n${build.stdout}${build.stderr}`)
}

/** The page's script: both classes, and a recorder per tab (latencies, burst timing, relay sizes). */
async function pageBundle() {
  const entry = `
import {EventSource} from '@holdfast/client'
import {SharedEventSource} from '@holdfast/client/shared'
const now = () => performance.timeOrigin + performance.now()
const relays = []
const post = BroadcastChannel.prototype.postMessage
BroadcastChannel.prototype.postMessage = function (message) {
  if (message?.kind === 'batch') relays.push(message.messages.length)
  return post.call(this, message)
}
window.bench = {
  relays,
  open(shared, url) {
    const Source = shared ? SharedEventSource : EventSource
    const source = new Source(url, {idleTimeout: 10_000})
    const state = {source, latencies: [], burst: {count: 0, first: 0, last: 0}}
    source.subscribe(({type, data}) => {
      const at = now()
      if (type === 'latency') state.latencies.push(at - Number(data))
      else if (type === 'burst') {
        if (state.burst.count++ === 0) state.burst.first = at
        state.burst.last = at
      }
    })
    window.state = state
  },
  role: () => window.state.source.role ?? 'solo',
  readyState: () => window.state.source.readyState,
  latencies: () => window.state.latencies,
  burst: () => window.state.burst,
  close: () => window.state.source.close(),
}`
  const bundle = await rollup({
    input: 'entry',
    plugins: [
      {name: 'entry', resolveId: (id) => (id === 'entry' ? id : null), load: (id) => (id === 'entry' ? entry : null)},
      nodeResolve({browser: true, exportConditions: ['browser', 'import', 'default'], rootDir: process.cwd()}),
    ],
    onwarn: () => {},
  })
  const {output} = await bundle.generate({format: 'iife'})
  await bundle.close()
  return output[0].code
}

/** One server: the page, and a stream that the bench publishes to (every open stream gets every event). */
function startServer(script) {
  const streams = new Set()
  let requests = 0
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x')
    if (url.pathname === '/') {
      res.writeHead(200, {'content-type': 'text/html'})
      return res.end(`<!doctype html><meta charset="utf-8"><script>${script}</script>`)
    }
    if (url.pathname !== '/sse') return res.writeHead(404).end()
    requests++
    res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-store'})
    res.socket.setNoDelay(true)
    res.write(':\n\n')
    streams.add(res)
    req.on('close', () => streams.delete(res))
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        get requests() {
          return requests
        },
        resetRequests: () => (requests = 0),
        write: (chunk) => {
          for (const res of streams) res.write(chunk)
        },
        close: () => {
          for (const res of streams) res.destroy()
          server.close()
        },
      }),
    ),
  )
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}
const median = (values) => percentile(values, 50)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until `check()` is true, polling the pages (never a fixed wait for a result). */
async function until(check, what, timeoutMs = 60_000) {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`the bench waited too long for ${what}`)
    await sleep(20)
  }
}

/** One measurement of N tabs: shared, then the baseline of N own streams. */
async function measure(browser, server, tabs) {
  const context = await browser.newContext()
  const pages = []
  for (let i = 0; i < tabs; i++) {
    const page = await context.newPage()
    await page.goto(server.url)
    pages.push(page)
  }
  server.resetRequests()
  for (const page of pages) await page.evaluate((url) => window.bench.open(true, url), `${server.url}/sse`)
  await until(
    async () =>
      (await Promise.all(pages.map((p) => p.evaluate(() => window.bench.readyState())))).every((s) => s === 1),
    'open tabs',
  )
  const sharedConnections = server.requests
  const roles = await Promise.all(pages.map((page) => page.evaluate(() => window.bench.role())))
  const leader = pages[roles.indexOf('leader')]
  const follower = pages.find((_, index) => roles[index] === 'follower')

  // Latency: warm-up events 1 ms apart, then one every 10 ms, each stamped with the server's clock.
  const stamp = () => (performance.timeOrigin + performance.now()).toFixed(3)
  for (let i = 0; i < LATENCY_WARM; i++) {
    server.write(`event: warm\ndata: ${i}\n\n`)
    await sleep(1)
  }
  for (let i = 0; i < LATENCY_EVENTS; i++) {
    server.write(`event: latency\ndata: ${stamp()}\n\n`)
    await sleep(10)
  }
  const count = (page) => page.evaluate(() => window.bench.latencies().length)
  await until(
    async () => (await count(follower)) === LATENCY_EVENTS && (await count(leader)) === LATENCY_EVENTS,
    'latency events',
  )
  const [leaderLatencies, followerLatencies] = await Promise.all(
    [leader, follower].map((page) => page.evaluate(() => window.bench.latencies())),
  )

  // Throughput: one burst in one write.
  let burst = ''
  for (let i = 0; i < BURST; i++) burst += `event: burst\ndata: {"n":${i},"v":"${'x'.repeat(24)}"}\n\n`
  const written = performance.timeOrigin + performance.now()
  server.write(burst)
  const burstOf = (page) => page.evaluate(() => window.bench.burst())
  await until(
    async () => (await burstOf(follower)).count === BURST && (await burstOf(leader)).count === BURST,
    'the burst',
  )
  // From the server's write to the tab's last event: what the tab sees of the whole path, relay included.
  const rate = ({count, last}) => count / ((last - written) / 1000)
  const [leaderBurst, followerBurst] = await Promise.all([leader, follower].map(burstOf))
  const relays = await leader.evaluate(() => window.bench.relays)
  for (const page of pages) await page.evaluate(() => window.bench.close())

  // The baseline: a stream of its own in every tab. Over HTTP/1.1 at most six of them get a connection (the browser's
  // limit per origin); the others wait for one.
  server.resetRequests()
  for (const page of pages) await page.evaluate((url) => window.bench.open(false, url), `${server.url}/sse`)
  const opened = async () =>
    (await Promise.all(pages.map((p) => p.evaluate(() => window.bench.readyState())))).filter((s) => s === 1).length
  await until(async () => (await opened()) >= Math.min(tabs, HTTP1_CONNECTIONS), 'own streams')
  const ownOpen = await opened()
  const ownConnections = server.requests
  for (const page of pages) await page.evaluate(() => window.bench.close())
  await context.close()

  return {
    tabs,
    sharedConnections,
    ownConnections,
    ownOpen,
    latency: {
      leader: {p50: percentile(leaderLatencies, 50), p99: percentile(leaderLatencies, 99)},
      follower: {p50: percentile(followerLatencies, 50), p99: percentile(followerLatencies, 99)},
    },
    throughput: {leader: rate(leaderBurst), follower: rate(followerBurst)},
    eventsPerRelay: relays.reduce((sum, n) => sum + n, 0) / Math.max(1, relays.length),
  }
}

const script = await pageBundle()
const server = await startServer(script)
const browser = await chromium.launch({executablePath: await chromiumPath(), args: QUIET_FLAGS})
const results = []
try {
  for (let round = 1; round <= ROUNDS; round++)
    for (const tabs of TAB_COUNTS) {
      log(`round ${round}: ${tabs} tabs…`)
      results.push({round, ...(await measure(browser, server, tabs))})
    }
} finally {
  await browser.close()
  server.close()
}

const fixed = (value, digits = 2) => value.toFixed(digits)
const lines = [
  `${new Date().toISOString().slice(0, 10)} · ${cpus()[0]?.model.trim()}, ${cpus().length} cores · Chromium ${browser.version()} · Node ${process.version} · ${ROUNDS} rounds · \`node shared.mjs --rounds ${ROUNDS} --tabs ${args.tabs}\``,
  '',
  '| tabs | stream connections: shared / own | latency p50 / p99 (ms), leader | latency p50 / p99 (ms), follower | follower p99 / leader p99 | events/s through a follower / the leader | events per relayed message |',
  '| --- | --- | --- | --- | --- | --- | --- |',
]
for (const tabs of TAB_COUNTS) {
  const of = results.filter((result) => result.tabs === tabs)
  const m = (pick) => median(of.map(pick))
  lines.push(
    `| ${tabs} | ${m((r) => r.sharedConnections)} / ${m((r) => r.ownConnections)}${m((r) => r.ownOpen) < tabs ? ` (${tabs - m((r) => r.ownOpen)} wait for a connection)` : ''} | ${fixed(m((r) => r.latency.leader.p50))} / ${fixed(m((r) => r.latency.leader.p99))} | ${fixed(m((r) => r.latency.follower.p50))} / ${fixed(m((r) => r.latency.follower.p99))} | ${fixed(m((r) => r.latency.follower.p99 / r.latency.leader.p99))}× | ${Math.round(m((r) => r.throughput.follower)).toLocaleString('en')} / ${Math.round(m((r) => r.throughput.leader)).toLocaleString('en')} (${fixed(m((r) => r.throughput.follower / r.throughput.leader))}×) | ${fixed(
      m((r) => r.eventsPerRelay),
      0,
    )} |`,
  )
}
const report = lines.join('\n')
mkdirSync(new URL('./reports/', import.meta.url), {recursive: true})
writeFileSync(new URL('./reports/shared.json', import.meta.url), JSON.stringify(results, null, 2))
writeFileSync(new URL('./reports/shared.md', import.meta.url), `${report}\n`)
process.stdout.write(`${report}\n`)
