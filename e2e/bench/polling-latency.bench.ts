// What long polling costs, in real Chromium: Holdfast on automatic transport behind nginx buffering whole responses
// (after it switched to long polls), against Holdfast streaming straight from the server and through the same nginx
// without buffering, all on one channel in one page, in the same rounds.
//
//   pnpm build && pnpm --filter @holdfast/e2e bench:polling      (BENCH_ROUNDS=5 BENCH_EVENTS=300 by default)
//
// Latency: the bench publishes one event every 20 ms stamped with its clock; each source's `subscribe` callback
// subtracts it from the page's (one machine, one clock). Requests: how many polls carried the events, published one
// at a time and in bursts. Every difference is taken within a round, then the median of the rounds. Prints a
// Markdown table and writes it to bench/reports/polling.md (the raw numbers to polling.json).
import {mkdirSync, writeFileSync} from 'node:fs'
import {cpus} from 'node:os'
import {fast} from '../fixtures'
import {proxied, test} from '../support/nginx-test'
import {untilProgressReaches} from '../support/progress'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const EVENTS = Number(process.env.BENCH_EVENTS ?? 300)
const WARM_UP = 50
const INTERVAL_MS = 20
/** The batching workload: bursts of BURST events at once, one burst every BURST_INTERVAL_MS. */
const BURST = 10
const BURST_INTERVAL_MS = 200

/** The sources of a round, and the nginx route each goes through (none: straight to the server). */
const SOURCES = {
  'stream, direct': {route: undefined, preset: undefined},
  'stream, through nginx without buffering': {route: 'sse', preset: undefined},
  'automatic → long polls, through nginx buffering': {route: 'buffered', preset: 'auto-transport'},
} as const
type Label = keyof typeof SOURCES
const LABELS = Object.keys(SOURCES) as Label[]
const POLLING: Label = 'automatic → long polls, through nginx buffering'
const BASELINE: Label = 'stream, direct'

interface Recorded {
  latencies: number[]
  bursts: number
}

interface Round {
  latency: Record<Label, {p50: number; p99: number}>
  /** Requests the polling source made per 100 events: one event at a time, and in bursts. */
  pollsPer100: number
  pollsPer100InBursts: number
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}
const median = (values: number[]): number => percentile(values, 50)
/** The publisher's pace (a load generator's, never a wait for a result). */
const pace = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const stamp = (): string => (performance.timeOrigin + performance.now()).toFixed(3)

test('long polling: added delivery latency and requests per event', async ({page, harness, sse, nginx}) => {
  await harness.goto(nginx.url)
  const rounds: Round[] = []
  for (let round = 1; round <= ROUNDS; round++) {
    const name = (label: Label) => `${label} #${round}`
    for (const label of LABELS) {
      const {route, preset} = SOURCES[label]
      const query = {round: String(round)}
      const url = route ? proxied(nginx, route, sse, query) : sse.streamUrl({retryMs: fast.retryDelay, ...query})
      await harness.open(name(label), url, fast, preset ? {preset} : {})
      await page.evaluate((source) => {
        const recorded: Recorded = {latencies: [], bursts: 0}
        ;(window as unknown as Record<string, Recorded>)[`bench ${source}`] = recorded
        window.harness.source(source)!.subscribe(({type, data}) => {
          if (type === 'latency') recorded.latencies.push(performance.timeOrigin + performance.now() - Number(data))
          else if (type === 'burst') recorded.bursts++
        })
      }, name(label))
    }
    const recorded = (label: Label) =>
      page.evaluate((source) => (window as unknown as Record<string, Recorded>)[`bench ${source}`]!, name(label))
    await test.expect
      .poll(() => page.evaluate((source) => window.harness.source(source)?.transport, name(POLLING)))
      .toBe('poll')
    await test.expect
      .poll(async () => Promise.all(LABELS.map((label) => harness.readyState(name(label)))), {timeout: 30_000})
      .toEqual(LABELS.map(() => 1))
    /** The polling source's requests opened since `since`. */
    const pollsSince = (since: number) =>
      sse
        .connections()
        .filter((c) => c.transport === 'poll' && c.openedAt >= since)
        .filter((c) => new URL(c.url, nginx.url).searchParams.get('round') === String(round)).length

    for (let i = 0; i < WARM_UP; i++) {
      sse.publish({event: 'warm', data: 'warm-up'})
      await pace(INTERVAL_MS)
    }
    const spacedFrom = Date.now()
    for (let i = 0; i < EVENTS; i++) {
      sse.publish({event: 'latency', data: stamp()})
      await pace(INTERVAL_MS)
    }
    for (const label of LABELS)
      await untilProgressReaches(async () => (await recorded(label)).latencies.length, EVENTS, {what: name(label)})
    const spacedPolls = pollsSince(spacedFrom)

    const burstsFrom = Date.now()
    for (let i = 0; i < EVENTS / BURST; i++) {
      for (let j = 0; j < BURST; j++) sse.publish({event: 'burst', data: String(j)})
      await pace(BURST_INTERVAL_MS)
    }
    await untilProgressReaches(async () => (await recorded(POLLING)).bursts, EVENTS, {what: 'the bursts'})
    const burstPolls = pollsSince(burstsFrom)

    const latency = {} as Round['latency']
    for (const label of LABELS) {
      const {latencies} = await recorded(label)
      latency[label] = {p50: percentile(latencies, 50), p99: percentile(latencies, 99)}
      await harness.close(name(label))
    }
    rounds.push({latency, pollsPer100: (spacedPolls / EVENTS) * 100, pollsPer100InBursts: (burstPolls / EVENTS) * 100})
  }

  const fixed = (value: number) => value.toFixed(2)
  const m = (pick: (round: Round) => number) => fixed(median(rounds.map(pick)))
  const lines = [
    `${new Date().toISOString().slice(0, 10)} · ${cpus()[0]?.model.trim()}, ${cpus().length} cores · Chromium ${page.context().browser()?.version()} · Node ${process.version} · ${ROUNDS} rounds of ${EVENTS} events · \`BENCH_ROUNDS=${ROUNDS} BENCH_EVENTS=${EVENTS} pnpm --filter @holdfast/e2e bench:polling\``,
    '',
    `| source | latency p50 / p99 (ms), an event every ${INTERVAL_MS} ms | added to the direct stream's p50 / p99 (ms) |`,
    '| --- | --- | --- |',
    ...LABELS.map(
      (label) =>
        `| ${label} | ${m((r) => r.latency[label].p50)} / ${m((r) => r.latency[label].p99)} | ${m(
          (r) => r.latency[label].p50 - r.latency[BASELINE].p50,
        )} / ${m((r) => r.latency[label].p99 - r.latency[BASELINE].p99)} |`,
    ),
    '',
    `Long polls per 100 events: ${m((r) => r.pollsPer100)} with an event every ${INTERVAL_MS} ms, ${m(
      (r) => r.pollsPer100InBursts,
    )} with bursts of ${BURST} every ${BURST_INTERVAL_MS} ms.`,
  ]
  const report = lines.join('\n')
  const reports = new URL('../../bench/reports/', import.meta.url)
  mkdirSync(reports, {recursive: true})
  writeFileSync(new URL('polling.json', reports), JSON.stringify(rounds, null, 2))
  writeFileSync(new URL('polling.md', reports), `${report}\n`)
  console.log(`\n${report}\n`)
})
