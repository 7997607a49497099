/**
 * Waits until `read()` reaches `target`, failing only when it stops moving for `stallMs`: a test that waits for
 * progress, not for a throughput, passes on a busy two-core machine however slow it runs, and still fails at once on
 * a real stall. (The test's own timeout stays the safety net for a run that crawls forever.) `detail` adds what the
 * test knows of the stall to the error.
 */
export async function untilProgressReaches(
  read: () => Promise<number>,
  target: number,
  {
    what,
    stallMs = 10_000,
    pollMs = 100,
    detail,
  }: {what: string; stallMs?: number; pollMs?: number; detail?: () => Promise<string>},
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
      const more = detail ? `; ${await detail()}` : ''
      throw new Error(`${what} stalled at ${value} of ${target}: no progress for ${stallMs} ms${more}`)
    }
  }
}
