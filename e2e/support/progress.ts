/**
 * Waits until `read()` reaches `target`, failing only when it stops moving for `stallMs`: a test that waits for
 * progress, not for a throughput, passes on a busy two-core machine however slow it runs, and still fails at once on
 * a real stall. (The test's own timeout stays the safety net for a run that crawls forever.)
 */
export async function untilProgressReaches(
  read: () => Promise<number>,
  target: number,
  {what, stallMs = 10_000, pollMs = 100}: {what: string; stallMs?: number; pollMs?: number},
): Promise<void> {
  let value = await read()
  let movedAt = Date.now()
  while (value < target) {
    await new Promise((resolve) => setTimeout(resolve, pollMs))
    const next = await read()
    if (next !== value) {
      value = next
      movedAt = Date.now()
    } else if (Date.now() - movedAt > stallMs) {
      throw new Error(`${what} stalled at ${value} of ${target}: no progress for ${stallMs} ms`)
    }
  }
}
