// 1,300 reconnection cycles in one page: every event exactly once, a flat JS heap, no connection left behind.
// Chromium only: the heap is read over the DevTools protocol.
import type {Page} from '@playwright/test'
import {chromiumOnly} from '../engines/engines'
import {expect, test} from '../fixtures'
import {untilProgressReaches} from '../support/progress'

/**
 * Cycles run before the heap is first measured. The heap grows early on with code the JIT compiles as the cycle
 * gets hot (and DevTools' bounded network buffers), then stays flat: heap snapshots show no JS object growth at all.
 * By 800 cycles that growth is over, so what the next 500 add is what they retain.
 */
const WARM_UP = 800
const CYCLES = 500
/** What the 500 cycles may add to the heap: 64 bytes a cycle, less than any object a leaked attempt would keep. */
const HEAP_BOUND = 32_768

/** The page's used JS heap after full garbage collections, through the DevTools protocol. */
async function heapAfterGc(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('HeapProfiler.collectGarbage')
  await cdp.send('HeapProfiler.collectGarbage')
  const {usedSize} = await cdp.send('Runtime.getHeapUsage')
  await cdp.detach()
  return usedSize
}

test(
  `${WARM_UP + CYCLES} reconnect cycles: every event once and in order, the heap flat over the last ${CYCLES}, no connection left`,
  {tag: chromiumOnly},
  async ({harness, sse, page}) => {
    // The waits below fail on a stall, never on a slow machine; this only bounds a run that crawls forever.
    test.setTimeout(10 * 60_000)
    // Every stream ends right after one event, so each event costs one full cycle: request, open, event, end,
    // reconnect with Last-Event-ID (retry: 0, no waiting).
    sse.inject({type: 'end', after: 1, times: 'all'})
    // Last-Event-ID 0 from the start: whenever the first stream opens, it replays everything published so far.
    const init = {jitter: 0, idleTimeout: 10_000, lastEventId: '0'}
    await harness.open('holdfast', sse.streamUrl({retryMs: 0}), init, {summary: true})
    const cycle = async (count: number) => {
      let last = 0
      for (let i = 0; i < count; i++) last = Number(sse.publish(`tick`).id)
      const received = async (): Promise<number> => (await harness.summary('holdfast')).lastId
      await untilProgressReaches(received, last, {what: 'the reconnect cycles'})
    }

    await cycle(WARM_UP)
    const before = await heapAfterGc(page)
    await cycle(CYCLES)
    const after = await heapAfterGc(page)
    const growth = after - before
    const figures = `JS heap after GC ${before} → ${after} bytes over ${CYCLES} cycles: ${growth} bytes (bound ${HEAP_BOUND})`
    test.info().annotations.push({type: 'heap', description: figures})
    console.log(`soak: ${figures}`)

    const total = WARM_UP + CYCLES
    expect(await harness.summary('holdfast')).toEqual({
      counts: {open: total + 1, message: total, error: total, reconnecting: total},
      lastId: total,
      outOfOrder: 0,
      maxDelay: 0,
    })
    expect(growth).toBeLessThan(HEAP_BOUND)

    // The server saw one request per cycle, each resuming from the event before, and all but the last are over.
    const seen = sse.connections()
    expect(seen).toHaveLength(total + 1)
    expect(seen.map((connection) => connection.lastEventId)).toEqual(
      Array.from({length: total + 1}, (_, index) => String(index)),
    )
    expect(seen.filter((connection) => connection.state !== 'closed').map((connection) => connection.id)).toEqual([
      seen.at(-1)!.id,
    ])
    await harness.close('holdfast')
    expect(await sse.waitForClose(seen.at(-1)!)).toMatchObject({closedBy: 'client'})
  },
)
