import type {HoldfastError} from './errors'

/**
 * The `error` event. It is a plain `Event` to drop-in code; Holdfast code reads `event.error` for what failed.
 * After it, `readyState` says what happens next: CONNECTING (a reconnect follows) or CLOSED (for good).
 */
export class ConnectionErrorEvent extends Event {
  readonly error: HoldfastError
  constructor(error: HoldfastError) {
    super('error')
    this.error = error
  }
}

/** [ext] Fired before every reconnection attempt is scheduled. `close()` in a handler cancels the attempt. */
export class ReconnectingEvent extends Event {
  /** The number of the attempt about to be made: 1 for the first after a healthy stream. */
  readonly attempt: number
  /** Milliseconds until the attempt: backoff and jitter, or the server's `Retry-After`. */
  readonly delay: number
  /** The failure that caused the reconnect. */
  readonly error: HoldfastError
  constructor(attempt: number, delay: number, error: HoldfastError) {
    super('reconnecting')
    this.attempt = attempt
    this.delay = delay
    this.error = error
  }
}
