import type {HoldfastEventSourceInit} from '@holdfast/client'
import type {EventSourceLike} from '../src/index'

/** An EventSource the test drives: `open()`, `emit()`, `fail()`; it records what listens to it. */
export class FakeSource extends EventTarget implements EventSourceLike {
  /** Every source made since the last `reset()`, in order. */
  static made: FakeSource[] = []
  static reset(): void {
    FakeSource.made = []
  }
  static create = (url: string, init: HoldfastEventSourceInit): FakeSource => new FakeSource(url, init)

  readyState = 0
  lastEventId: string
  closed = false
  readonly listeners = new Map<string, number>()

  constructor(
    readonly url: string,
    readonly init: HoldfastEventSourceInit,
  ) {
    super()
    this.lastEventId = init.lastEventId ?? ''
    FakeSource.made.push(this)
  }

  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
    this.listeners.set(type, (this.listeners.get(type) ?? 0) + 1)
    super.addEventListener(type, listener)
  }

  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
    const count = (this.listeners.get(type) ?? 0) - 1
    if (count > 0) this.listeners.set(type, count)
    else this.listeners.delete(type)
    super.removeEventListener(type, listener)
  }

  open(): void {
    this.readyState = 1
    this.dispatchEvent(new Event('open'))
  }

  emit(data: string, {type = 'message', id}: {type?: string; id?: string} = {}): void {
    if (id !== undefined) this.lastEventId = id
    this.dispatchEvent(new MessageEvent(type, {data, lastEventId: this.lastEventId, origin: 'http://test'}))
  }

  /** An `error` event carrying `error`; `closed` fails it for good, otherwise it will retry. */
  fail(error: unknown, {closed = false}: {closed?: boolean} = {}): void {
    this.readyState = closed ? 2 : 0
    this.dispatchEvent(Object.assign(new Event('error'), {error}))
  }

  reconnecting(attempt: number, delay: number, error: unknown): void {
    this.readyState = 0
    this.dispatchEvent(Object.assign(new Event('reconnecting'), {attempt, delay, error}))
  }

  close(): void {
    this.closed = true
    this.readyState = 2
  }
}
