// The workloads, in the order a round runs them, and how each one's result is read. `page` is what the page's
// runner receives; `value(result)` is the number the table and the goals use.

export const FRAGMENT_BYTES = 7

/** p50 and p99 (nearest rank) of latency samples in ms. */
function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
  return {samples: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1)}
}

export function workloads({quick}) {
  const scale = quick ? 0.1 : 1
  const small = Math.round(200_000 * scale)
  const large = Math.round(2_000 * scale)
  const fragmented = Math.round(20_000 * scale)
  return [
    {
      id: 'small',
      short: 'small events',
      title: `${small.toLocaleString('en')} small events`,
      unit: 'events/s',
      higherIsBetter: true,
      page: {stream: 'small', count: small, warmup: Math.round(small / 10)},
      value: (r) => r.count / (r.ms / 1000),
    },
    {
      id: 'large',
      short: '64 KiB events',
      title: `${large.toLocaleString('en')} × 64 KiB events`,
      unit: 'MB/s',
      higherIsBetter: true,
      page: {stream: 'large', count: large, warmup: Math.round(large / 20)},
      value: (r) => r.dataChars / 1e6 / (r.ms / 1000),
    },
    {
      id: 'fragmented',
      short: '7-byte chunks',
      title: `${fragmented.toLocaleString('en')} small events in ${FRAGMENT_BYTES}-byte chunks`,
      unit: 'events/s',
      higherIsBetter: true,
      page: {stream: 'small', count: fragmented, warmup: Math.round(fragmented / 10), fragment: FRAGMENT_BYTES},
      value: (r) => r.count / (r.ms / 1000),
    },
    {
      id: 'latency',
      short: 'latency',
      title: 'delivery latency at 100 events/s',
      unit: 'ms',
      higherIsBetter: false,
      // Samples are pooled over `passes` pages per round, each page taking its turn with the others, so that a
      // noisy second on the shared machine is spread over every implementation instead of landing on one.
      passes: quick ? 2 : 3,
      page: {stream: 'latency', count: 180, interval: 10, discard: 10, warm: 1000},
      pool: (results) => percentiles(results.flatMap((r) => r.samples)),
      value: (r) => r.p99,
    },
    {
      id: 'reconnect',
      short: 'reconnects',
      title: 'reconnects when every response ends after one event (retry: 0)',
      unit: 'reconnects/s',
      higherIsBetter: true,
      page: {stream: 'reconnect', count: quick ? 50 : 200, limitMs: quick ? 2000 : 4000},
      value: (r) => r.rate,
    },
    {
      id: 'heap',
      short: 'heap',
      title: 'JS heap growth over 100 connect/close cycles after 1500 warm-up cycles (the smaller of two windows)',
      unit: 'KB',
      higherIsBetter: false,
      page: {stream: 'cycle', cycles: 100, warmup: quick ? 100 : 1500},
      value: (r) => r.growth / 1000,
    },
  ]
}
