/** One idle timer: `arm` starts watching, `touch` records activity, `disarm` stops and releases the timer. */
export interface Watchdog {
  arm(): void
  touch(now: number): void
  disarm(): void
}

const disabled: Watchdog = {arm() {}, touch() {}, disarm() {}}

/**
 * Calls `onIdle` once when `timeout` ms pass without a `touch`. `touch` is on the per-chunk hot path, so it only
 * stores a timestamp: the single timer, when it fires early, re-arms itself for the time that remains instead of
 * being cleared and re-created for every chunk. A `timeout` of 0 disables the watchdog.
 */
export function createWatchdog(timeout: number, onIdle: () => void, now: () => number): Watchdog {
  if (timeout <= 0) return disabled
  let timer: ReturnType<typeof setTimeout> | undefined
  let lastActivity = 0

  function check(): void {
    const at = now()
    // A clock set back past the last activity: count the silence from now rather than wait out the difference.
    if (at < lastActivity) lastActivity = at
    const idle = at - lastActivity
    if (idle >= timeout) {
      timer = undefined
      onIdle()
    } else {
      timer = setTimeout(check, timeout - idle)
    }
  }

  return {
    arm() {
      lastActivity = now()
      timer ??= setTimeout(check, timeout)
    },
    touch(at) {
      lastActivity = at
    },
    disarm() {
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
    },
  }
}
