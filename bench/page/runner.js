// Runs one job (one implementation, one workload) in a fresh page, posts the result to the bench server and moves
// on to the page the server names. Every implementation is driven through the same adapter shape:
// `Impl.open(url, {data(string), bytes(Uint8Array), end()})` returns `close()`.
;(async () => {
  const job = window.JOB
  const {open} = window.Impl
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
  const now = () => performance.now()
  /** The page's clock as ms since the epoch, comparable with the server's (see lib/server.mjs). */
  const epochNow = () => performance.timeOrigin + performance.now()
  const TIMEOUT = 90_000

  /** Full garbage collections (Chromium runs with --js-flags=--expose-gc), with turns in between to finalize. */
  async function collect() {
    for (let i = 0; i < 3; i++) {
      window.gc()
      await sleep(20)
    }
  }

  /**
   * Opens `url` and resolves when `count` events arrived, or, for the byte-counting limit, when the stream ended.
   * `hooks` may observe each event or chunk (latency); `stopAt` ends a timed run early without an error.
   */
  function consume(url, {count, hooks = {}, stopAfterMs}) {
    return new Promise((resolve, reject) => {
      let events = 0
      let chars = 0
      let bytes = 0
      let done = false
      let close
      const start = now()
      const finish = (error) => {
        if (done) return
        done = true
        const ms = now() - start
        clearTimeout(timer)
        close?.()
        if (error) reject(error)
        else resolve({ms, events, chars, bytes})
      }
      const timer = setTimeout(
        () => (stopAfterMs ? finish() : finish(new Error(`timed out: ${events} events, ${bytes} bytes`))),
        stopAfterMs ?? TIMEOUT,
      )
      close = open(url, {
        data(data) {
          hooks.data?.(data)
          chars += data.length
          if (++events === count) finish()
        },
        bytes(chunk) {
          bytes += chunk.byteLength
          if (hooks.bytes && hooks.bytes(chunk) >= count) finish()
        },
        end() {
          if (events === 0 && bytes > 0) finish()
          else finish(new Error(`the stream ended after ${events} of ${count} events`))
        },
      })
      if (done) close()
    })
  }

  function check(got, expect) {
    const ok = got.bytes > 0 ? got.bytes === expect.bytes : got.chars === expect.dataChars
    if (!ok) throw new Error(`wrong data: got ${JSON.stringify(got)}, expected ${JSON.stringify(expect)}`)
  }

  async function throughput() {
    const url = (n) => `/sse/${job.stream}?n=${n}`
    await collect()
    check(await consume(url(job.warmup), {count: job.warmup}), job.expectWarmup)
    await collect()
    const got = await consume(url(job.count), {count: job.count})
    check(got, job.expect)
    return {ms: got.ms, count: job.count, dataChars: job.expect.dataChars}
  }

  async function latency() {
    const samples = []
    const decoder = new TextDecoder()
    const stamp = /"t":([\d.]+)/g
    let seen = 0
    const count = job.warm + job.count
    await collect()
    await consume(`/sse/latency?n=${job.count}&interval=${job.interval}&warm=${job.warm}`, {
      count,
      hooks: {
        data(data) {
          const at = epochNow()
          samples.push(at - Number(data.slice(5, data.indexOf(','))))
        },
        // The byte-counting limit has no parser: it finds the server's timestamps in the decoded chunk.
        bytes(chunk) {
          const at = epochNow()
          for (const match of decoder.decode(chunk, {stream: true}).matchAll(stamp)) {
            samples.push(at - Number(match[1]))
            seen++
          }
          return seen
        },
      },
    })
    // The warm-up events (and the first few at the measured pace) pay for the JIT compiling the client; the bench
    // pools the rest over several pages.
    return {samples: samples.slice(job.warm + job.discard)}
  }

  async function reconnect() {
    let first
    let last
    await collect()
    const got = await consume('/sse/reconnect', {
      count: job.count,
      stopAfterMs: job.limitMs,
      hooks: {
        data() {
          last = now()
          first ??= last
        },
      },
    })
    // Each event came on its own connection: the rate counts the reconnections between the first and the last.
    return {events: got.events, rate: got.events > 1 ? (got.events - 1) / ((last - first) / 1000) : 0}
  }

  function cycle() {
    return new Promise((resolve, reject) => {
      let close
      let done = false
      const timer = setTimeout(() => reject(new Error('a cycle timed out')), 10_000)
      const opened = () => {
        if (done) return
        done = true
        clearTimeout(timer)
        close()
        resolve()
      }
      close = open('/sse/cycle', {data: opened, bytes: opened, end() {}})
    })
  }

  async function heap() {
    const settle = async () => {
      await sleep(200)
      await collect()
      return performance.memory.usedJSHeapSize
    }
    // The JIT's code and feedback for the client's functions live on the JS heap too, and keep growing for about a
    // thousand cycles (with --max-opt=0 they do not); after that V8 still takes a few KB now and then, in no
    // relation to the client. A leak grows in every window of cycles: the smaller of two windows' growth is what
    // it would show.
    for (let i = 0; i < job.warmup; i++) await cycle()
    const heaps = [await settle()]
    for (let window = 0; window < 2; window++) {
      for (let i = 0; i < job.cycles; i++) await cycle()
      heaps.push(await settle())
    }
    return {heaps, growth: Math.min(heaps[1] - heaps[0], heaps[2] - heaps[1])}
  }

  const run = {small: throughput, large: throughput, fragmented: throughput, latency, reconnect, heap}[job.workload]
  let result
  try {
    await sleep(50)
    result = await run()
  } catch (error) {
    result = {error: String(error?.message ?? error)}
  }
  result.isolated = window.crossOriginIsolated
  const response = await fetch(`/result/${job.round}/${job.index}`, {method: 'POST', body: JSON.stringify(result)})
  const {next} = await response.json()
  if (next) location.replace(next)
})()
