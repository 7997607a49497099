// Turns the rounds' raw results into the markdown table and the goals check. Absolute numbers are medians over
// rounds with their min–max; every comparison (to the limit, to native, between libraries) is a ratio taken inside
// one round and then the median over rounds, because the machine is shared and its speed drifts between rounds.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** The per-round values of `impl` on `workload` (rounds where it failed are left out). */
export function values(results, workload, impl, read = workload.value) {
  return results.flatMap((round) => {
    const result = round[workload.id]?.[impl]
    return result && !result.error ? [read(result)] : []
  })
}

/** The per-round ratios a/b, from rounds where both ran. */
export function ratios(results, workload, a, b, read = workload.value) {
  return results.flatMap((round) => {
    const x = round[workload.id]?.[a]
    const y = round[workload.id]?.[b]
    return x && y && !x.error && !y.error && read(y) !== 0 ? [read(x) / read(y)] : []
  })
}

const si = (n) =>
  n >= 1e6
    ? `${(n / 1e6).toFixed(2)} M`
    : n >= 1e4
      ? `${(n / 1e3).toFixed(0)} k`
      : n >= 100
        ? n.toFixed(0)
        : n.toFixed(1)
const ms = (n) => (n >= 10 ? n.toFixed(1) : n.toFixed(2))
const signedKb = (n) => `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(1)}`
const percent = (r) => `${r >= 0.095 ? (r * 100).toFixed(0) : (r * 100).toFixed(1)}%`
export const kb = (bytes) => `${(bytes / 1000).toFixed(2)} KB`

function cell(results, workload, impl) {
  const all = results.map((round) => round[workload.id]?.[impl]).filter(Boolean)
  if (all.length === 0) return 'n/a'
  const errors = all.filter((r) => r.error)
  const got = values(results, workload, impl)
  if (got.length === 0) return `failed: ${errors[0].error.slice(0, 60)}`
  const range = (format) => `(${format(Math.min(...got))}–${format(Math.max(...got))})`
  const failed = errors.length ? ` ⚠ ${errors.length} failed` : ''
  switch (workload.id) {
    case 'latency': {
      const p50 = median(values(results, workload, impl, (r) => r.p50))
      return `${ms(p50)} / ${ms(median(got))} ${range(ms)}${failed}`
    }
    case 'heap':
      return `${signedKb(median(got))} ${range(signedKb)}${failed}`
    case 'reconnect':
      return `${si(median(got))} ${range(si)}${failed}`
    default: {
      const limit = median(ratios(results, workload, impl, 'raw-fetch'))
      const share = impl === 'raw-fetch' || Number.isNaN(limit) ? '' : ` · ${percent(limit)}`
      return `${si(median(got))} ${range(si)}${share}${failed}`
    }
  }
}

export function table({results, workloads, implementations, sizes}) {
  const header = [
    'implementation',
    'min+gzip',
    ...workloads.map((w) =>
      w.id === 'latency' ? 'latency p50 / p99 (ms)' : w.id === 'heap' ? 'heap growth (KB)' : `${w.short} (${w.unit})`,
    ),
  ]
  const rows = implementations.map((impl) => [
    impl.label,
    sizes[impl.id] === null ? '—' : sizes[impl.id] === 0 ? 'built in' : kb(sizes[impl.id]),
    ...workloads.map((w) => cell(results, w, impl.id)),
  ])
  return [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n')
}

const HOLDFAST_PATHS = ['holdfast', 'holdfast-subscribe', 'holdfast-iterate']

/**
 * The goals, each checked on per-round ratios. Throughput: higher wins; latency p99 and heap: lower wins.
 * Returns [{goal, met, detail}].
 */
export function goals({results: measured, workloads}) {
  const byId = Object.fromEntries(workloads.map((w) => [w.id, w]))
  // Holdfast's fastest path: in each round, the best of its consumption paths.
  const results = measured.map((round) =>
    Object.fromEntries(
      Object.entries(round).map(([id, got]) => {
        const candidates = HOLDFAST_PATHS.map((impl) => got[impl]).filter((r) => r && !r.error)
        const better = (a, b) =>
          (byId[id].higherIsBetter ? 1 : -1) * (byId[id].value(b) - byId[id].value(a)) > 0 ? b : a
        return [id, {...got, fastest: candidates.reduce(better, candidates[0])}]
      }),
    ),
  )
  const checks = []
  const compare = (goal, a, b, ids) => {
    for (const id of ids) {
      const w = byId[id]
      if (!w) continue
      const r = ratios(results, w, a, b)
      if (r.length === 0) continue
      const m = median(r)
      const holds = (x) => (w.higherIsBetter ? x >= 1 : x <= 1)
      // A verdict needs four rounds in five to agree with the median; otherwise the noise decides, and it says so.
      const agreeing = r.filter((x) => holds(x) === holds(m)).length
      const met = agreeing >= 0.8 * r.length ? holds(m) : undefined
      const how = w.higherIsBetter
        ? `${m.toFixed(2)}× ${b}`
        : `${m.toFixed(2)}× ${b}'s ${w.id === 'latency' ? 'p99' : w.unit}`
      checks.push({goal, met, detail: `${w.short}: ${how} (rounds: ${r.map((x) => x.toFixed(2)).join(', ')})`})
    }
  }
  const speed = ['small', 'large', 'fragmented', 'latency', 'reconnect']
  compare('Holdfast `EventSource` at least as fast as native', 'holdfast', 'native', speed)
  for (const lib of ['eventsource', 'event-source-polyfill'])
    compare(`Holdfast \`EventSource\` ahead of \`${lib}\``, 'holdfast', lib, speed)
  compare('Holdfast fastest path ahead of `eventsource-client`', 'fastest', 'eventsource-client', [
    'small',
    'large',
    'fragmented',
  ])
  const heap = byId.heap
  if (heap) {
    for (const impl of HOLDFAST_PATHS) {
      const got = values(results, heap, impl)
      if (got.length === 0) continue
      // Growth is noise when it stays under 20 bytes per cycle (a leak of one small object per cycle is ~50 bytes).
      const bound = (heap.page.cycles * 20) / 1000
      const m = median(got)
      checks.push({
        goal: `No heap growth across cycles (${impl})`,
        met: m <= bound,
        detail: `median ${signedKb(m)} KB over ${heap.page.cycles} cycles (bound ${bound} KB; rounds: ${got.map(signedKb).join(', ')})`,
      })
    }
  }
  return checks
}

/** ✅ met, ❌ missed, ≈ the rounds disagree (fewer than four in five on the median's side). */
export function goalsMarkdown(checks) {
  return checks.map((c) => `- ${c.met === undefined ? '≈' : c.met ? '✅' : '❌'} ${c.goal} — ${c.detail}`).join('\n')
}
