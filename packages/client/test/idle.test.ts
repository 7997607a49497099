import {beforeEach, describe, expect, it, vi} from 'vitest'
import {createWatchdog} from '../src/watchdog'
import {EventSource} from '../src/index'
import {flush, mockStream, openSource, record, until, useFakeClock, useMockServer} from './harness'

useMockServer()
beforeEach(() => useFakeClock())

describe('createWatchdog', () => {
  it('fires once after the timeout without touches, re-arming only for the time that remains', async () => {
    const onIdle = vi.fn()
    const watchdog = createWatchdog(1000, onIdle, () => performance.now())
    watchdog.arm()
    await vi.advanceTimersByTimeAsync(600)
    watchdog.touch(performance.now())
    await vi.advanceTimersByTimeAsync(999)
    expect(onIdle).not.toHaveBeenCalled()
    expect(vi.getTimerCount()).toBe(1) // one timer, not one per touch
    await vi.advanceTimersByTimeAsync(1)
    expect(onIdle).toHaveBeenCalledTimes(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('releases its timer on disarm, and does nothing when disabled', async () => {
    const onIdle = vi.fn()
    const watchdog = createWatchdog(1000, onIdle, () => performance.now())
    watchdog.arm()
    watchdog.disarm()
    expect(vi.getTimerCount()).toBe(0)
    const disabled = createWatchdog(0, onIdle, () => performance.now())
    disabled.arm()
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(onIdle).not.toHaveBeenCalled()
  })
})

describe('[ext] idle watchdog', () => {
  it('tears down a silent open stream and reconnects, with an idle-timeout error', async () => {
    const stream = mockStream()
    const source = openSource({idleTimeout: 3000, retryDelay: 100})
    const log = record(source)
    const first = await stream.open()
    await until(() => log.length === 1, 'open')
    await vi.advanceTimersByTimeAsync(2999)
    expect(first.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(log).toEqual(['open:1', 'error:0:idle-timeout', 'reconnecting:1:100'])
    expect(first.aborted).toBe(true)
    await vi.advanceTimersByTimeAsync(100)
    expect(stream.connections).toHaveLength(2)
  })

  it.each([
    ['a comment (heartbeat)', ': ping\n'],
    ['part of a line', 'da'],
    ['a lone newline', '\n'],
    ['an event', 'data: x\n\n'],
  ])('is re-armed by any byte: %s', async (_what, bytes) => {
    const stream = mockStream()
    const source = openSource({idleTimeout: 3000})
    const log = record(source)
    const connection = await stream.open()
    await until(() => log.length === 1, 'open')
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(2500)
      connection.send(bytes)
      await flush()
    }
    expect(connection.aborted).toBe(false)
    expect(source.readyState).toBe(EventSource.OPEN)
    await vi.advanceTimersByTimeAsync(3000)
    expect(connection.aborted).toBe(true)
  })

  it('bounds the connect phase: no response headers within the timeout', async () => {
    const stream = mockStream()
    const source = openSource({idleTimeout: 2000, retryDelay: 100})
    const log = record(source)
    const pending = await stream.next()
    await vi.advanceTimersByTimeAsync(2000)
    expect(log).toEqual(['error:0:idle-timeout', 'reconnecting:1:100'])
    expect(pending.aborted).toBe(true)
  })

  it('is off with idleTimeout: 0', async () => {
    const stream = mockStream()
    const source = openSource({idleTimeout: 0})
    const connection = await stream.open()
    await until(() => source.readyState === EventSource.OPEN, 'open')
    await vi.advanceTimersByTimeAsync(3_600_000)
    expect(connection.aborted).toBe(false)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('never writes to the console', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) => vi.spyOn(console, level))
    const stream = mockStream()
    openSource({idleTimeout: 1000, retryDelay: 10})
    for (let i = 0; i < 3; i++) {
      await stream.open()
      await flush()
      await vi.advanceTimersByTimeAsync(2000) // the idle timeout, then a backoff of at most 40 ms
    }
    expect(stream.connections.length).toBeGreaterThanOrEqual(3)
    for (const spy of spies) expect(spy).not.toHaveBeenCalled()
  })
})

describe('createWatchdog and the wall clock', () => {
  it('counts the silence from the check when the clock was set back, instead of waiting out the difference', async () => {
    const onIdle = vi.fn()
    let clock = 1_000_000
    const watchdog = createWatchdog(1000, onIdle, () => clock)
    watchdog.arm()
    clock -= 3_600_000 // set back an hour during the silence
    await vi.advanceTimersByTimeAsync(1000) // the check: the silence now counts from here
    expect(onIdle).not.toHaveBeenCalled()
    clock += 1000
    await vi.advanceTimersByTimeAsync(1000)
    expect(onIdle).toHaveBeenCalledTimes(1)
  })
})
