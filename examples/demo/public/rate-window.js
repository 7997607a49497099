// The chart's data: events counted per fixed time bucket, over a sliding window that ends now.

/**
 * @typedef {object} RatePoint
 * @property {number} time the middle of the bucket (ms, same clock as `add`)
 * @property {number} perSecond events in the bucket, per second
 */

/**
 * Counts events in buckets of `bucketMs`. `series(now)` gives the complete buckets whose middle lies within the
 * last `windowMs`, oldest first, with empty buckets as zeros: a stall shows as a run of zeros, not a missing line.
 * Buckets older than the window are forgotten.
 * @param {{bucketMs?: number, windowMs?: number}} [options]
 */
export function createRateWindow({bucketMs = 1000, windowMs = 60_000} = {}) {
  /** Bucket number (time / bucketMs, rounded down) → events. @type {Map<number, number>} */
  const counts = new Map()

  /** @param {number} oldest */
  function forgetBefore(oldest) {
    for (const bucket of counts.keys()) if (bucket < oldest) counts.delete(bucket)
  }

  return {
    bucketMs,
    windowMs,
    /** Counts one event at `time` (ms). @param {number} time */
    add(time) {
      const bucket = Math.floor(time / bucketMs)
      counts.set(bucket, (counts.get(bucket) ?? 0) + 1)
    },
    /** @param {number} now @returns {RatePoint[]} */
    series(now) {
      const current = Math.floor(now / bucketMs)
      const first = Math.ceil((now - windowMs) / bucketMs - 0.5)
      forgetBefore(first)
      /** @type {RatePoint[]} */
      const points = []
      for (let bucket = first; bucket < current; bucket++)
        points.push({time: (bucket + 0.5) * bucketMs, perSecond: ((counts.get(bucket) ?? 0) * 1000) / bucketMs})
      return points
    },
    clear() {
      counts.clear()
    },
  }
}
