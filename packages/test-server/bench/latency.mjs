// Delivery latencies of the capacity benchmark's broadcasts, summarised the same way for one client process or several.

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

/** `entries`: [broadcast index, latencies in ms] pairs (several per index when several processes measured it). */
export function summarize(entries) {
  const byBroadcast = new Map()
  for (const [index, list] of entries) byBroadcast.set(index, [...(byBroadcast.get(index) ?? []), ...list])
  const all = [...byBroadcast.values()].flat().sort((a, b) => a - b)
  const perBroadcast = [...byBroadcast.entries()].map(([index, list]) => {
    const sorted = [...list].sort((a, b) => a - b)
    return {index, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1)}
  })
  return {deliveries: all.length, p50: percentile(all, 50), p99: percentile(all, 99), max: all.at(-1), perBroadcast}
}
