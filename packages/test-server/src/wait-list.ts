import {TestServerError} from './errors.js'

interface Waiter<A> {
  test: (arg: A) => unknown
  resolve: (value: never) => void
  reject: (error: unknown) => void
  timer: ReturnType<typeof setTimeout> | undefined
}

/**
 * Promises that settle on a server-side signal instead of a sleep: each `notify(arg)` runs every waiting `test`,
 * and the first value that is not `undefined` resolves it. Every waiter has a timeout and is released on settle.
 */
export class WaitList<A> {
  readonly #waiting = new Set<Waiter<A>>()

  get size(): number {
    return this.#waiting.size
  }

  /** Waits for `test` to return a value; `initial` is tried at once. `describe` explains a timeout. */
  wait<T>(test: (arg: A) => T | undefined, timeoutMs: number, describe: () => string, initial?: T): Promise<T> {
    if (initial !== undefined) return Promise.resolve(initial)
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<A> = {test, resolve: resolve as (value: never) => void, reject, timer: undefined}
      // An unlimited wait has no timer at all (setTimeout would fire at once for Infinity).
      if (Number.isFinite(timeoutMs))
        waiter.timer = setTimeout(() => {
          this.#waiting.delete(waiter)
          const message = `${describe()} (waited ${timeoutMs} ms; pass a larger timeoutMs to wait longer)`
          reject(new TestServerError('timeout', message))
        }, timeoutMs)
      this.#waiting.add(waiter)
    })
  }

  notify(arg: A): void {
    for (const waiter of [...this.#waiting]) {
      let value: unknown
      try {
        value = waiter.test(arg)
      } catch (error) {
        this.#settle(waiter)
        waiter.reject(error)
        continue
      }
      if (value === undefined) continue
      this.#settle(waiter)
      waiter.resolve(value as never)
    }
  }

  rejectAll(error: Error): void {
    for (const waiter of [...this.#waiting]) {
      this.#settle(waiter)
      waiter.reject(error)
    }
  }

  #settle(waiter: Waiter<A>): void {
    clearTimeout(waiter.timer)
    this.#waiting.delete(waiter)
  }
}

/** The default of every `timeoutMs`. */
export const DEFAULT_WAIT_MS = 5_000

/** Validates a `timeoutMs` option (`Infinity`: no limit). */
export function waitTimeout(options: {timeoutMs?: number} | undefined): number {
  const timeoutMs = options?.timeoutMs ?? DEFAULT_WAIT_MS
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0)
    throw new TestServerError(
      'invalid-request',
      `\`timeoutMs\` must be a non-negative number or Infinity, got ${String(timeoutMs)}`,
    )
  return timeoutMs
}
