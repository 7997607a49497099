import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {browserEnvironment} from '../src/awareness'
import {EventSource} from '../src/index'
import {
  controlledEnvironment,
  flush,
  mockStream,
  openSource,
  record,
  until,
  useFakeClock,
  useMockServer,
} from './harness'

useMockServer()
beforeEach(() => useFakeClock())

describe('[ext] network awareness', () => {
  it('while offline, waits without spending attempts; on online, reconnects at once with the backoff reset', async () => {
    const stream = mockStream()
    const environment = controlledEnvironment()
    const source = openSource({environment, retryDelay: 1000})
    const log = record(source)
    ;(await stream.next()).respond({status: 503, body: ''})
    await until(() => log.length === 2, 'first retry scheduled')
    await vi.advanceTimersByTimeAsync(1000)
    environment.set({online: false})
    ;(await stream.next()).refuse()
    await until(() => log.length === 3, 'the error')
    expect(log.slice(2)).toEqual(['error:0:network'])
    await vi.advanceTimersByTimeAsync(3_600_000)
    expect(stream.connections).toHaveLength(2) // nothing burnt while offline
    expect(vi.getTimerCount()).toBe(0)
    environment.set({online: true})
    expect(log.at(-1)).toBe('reconnecting:1:0')
    await vi.advanceTimersByTimeAsync(0)
    ;(await stream.next()).respond({status: 503, body: ''})
    await until(() => log.length === 6, 'the next retry')
    expect(log.at(-1)).toBe('reconnecting:1:1000') // the backoff was reset
    expect(source.readyState).toBe(EventSource.CONNECTING)
  })

  it('going offline cancels a pending reconnect', async () => {
    const stream = mockStream()
    const environment = controlledEnvironment()
    const source = openSource({environment, retryDelay: 5000})
    const log = record(source)
    ;(await stream.open()).end()
    await until(() => log.length === 3, 'reconnect scheduled')
    environment.set({online: false})
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(stream.connections).toHaveLength(1)
  })

  it('can be turned off', async () => {
    const stream = mockStream()
    const environment = controlledEnvironment({online: false})
    const source = openSource({environment, networkAware: false, retryDelay: 100})
    const log = record(source)
    ;(await stream.open()).end()
    await until(() => log.length === 3, 'reconnect scheduled anyway')
    expect(environment.listeners.size).toBe(0)
  })
})

describe('[ext] pauseWhenHidden', () => {
  it('closes the stream after the page was hidden for the grace period, and resumes with Last-Event-ID', async () => {
    const stream = mockStream()
    const environment = controlledEnvironment()
    const source = openSource({environment, pauseWhenHidden: 10_000})
    const first = await stream.open()
    first.send('id: 3\ndata: x\n\n')
    await until(() => source.lastEventId === '3', 'the event')
    environment.set({hidden: true})
    await vi.advanceTimersByTimeAsync(9_999)
    expect(first.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(first.aborted).toBe(true)
    expect(source.readyState).toBe(EventSource.CONNECTING)
    await vi.advanceTimersByTimeAsync(3_600_000)
    expect(stream.connections).toHaveLength(1)
    environment.set({hidden: false})
    const resumed = await stream.next()
    expect(resumed.request.headers.get('last-event-id')).toBe('3')
  })

  it('does nothing for a short hide', async () => {
    const stream = mockStream()
    const environment = controlledEnvironment()
    openSource({environment, pauseWhenHidden: 10_000, idleTimeout: 0})
    const first = await stream.open()
    environment.set({hidden: true})
    await vi.advanceTimersByTimeAsync(5_000)
    environment.set({hidden: false})
    await vi.advanceTimersByTimeAsync(60_000)
    expect(first.aborted).toBe(false)
    expect(stream.connections).toHaveLength(1)
  })
})

describe('[ext] pauseWhenHidden holds whatever the reconnect was waiting on when the grace period ended', () => {
  it('a pending reconnect keeps its delay across a hide: visible before it is due waits for the rest', async () => {
    const stream = mockStream()
    const environment = controlledEnvironment()
    const source = openSource({environment, pauseWhenHidden: 0, retryDelay: 1000})
    const log = record(source)
    ;(await stream.open()).fail()
    await until(() => log.at(-1) === 'reconnecting:1:1000', 'the reconnect scheduled')
    environment.set({hidden: true})
    await vi.advanceTimersByTimeAsync(300)
    environment.set({hidden: false}) // a tab switch must not turn the backoff into an immediate retry
    expect(log.at(-1)).toBe('reconnecting:1:700')
    await vi.advanceTimersByTimeAsync(699)
    expect(stream.connections).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(stream.connections).toHaveLength(2)
  })

  it('paused offline: coming back online while still hidden does not reconnect; visible does', async () => {
    const stream = mockStream()
    const environment = controlledEnvironment()
    const source = openSource({environment, pauseWhenHidden: 1000, retryDelay: 100})
    const log = record(source)
    environment.set({online: false})
    ;(await stream.next()).refuse()
    await until(() => log.length === 1, 'the error')
    environment.set({hidden: true})
    await vi.advanceTimersByTimeAsync(1000) // the grace period ends while paused offline
    environment.set({online: true})
    await vi.advanceTimersByTimeAsync(3_600_000)
    expect(stream.connections).toHaveLength(1)
    expect(source.readyState).toBe(EventSource.CONNECTING)
    expect(vi.getTimerCount()).toBe(0)
    environment.set({hidden: false})
    await stream.open()
    await until(() => source.readyState === EventSource.OPEN, 'open')
  })

  it('waiting on an async shouldRetry: its late true does not reconnect a hidden page', async () => {
    const stream = mockStream()
    const environment = controlledEnvironment()
    let answer!: (retry: boolean) => void
    const shouldRetry = vi.fn(() => new Promise<boolean>((resolve) => (answer = resolve)))
    const source = openSource({environment, pauseWhenHidden: 1000, retryDelay: 100, shouldRetry})
    const log = record(source)
    ;(await stream.next()).respond({status: 401, body: ''})
    await until(() => shouldRetry.mock.calls.length === 1, 'the hook')
    environment.set({hidden: true})
    await vi.advanceTimersByTimeAsync(1000) // the grace period ends while the hook is pending
    answer(true)
    await flush()
    await vi.advanceTimersByTimeAsync(3_600_000)
    expect(stream.connections).toHaveLength(1)
    expect(log).toEqual(['error:0:http-status']) // an error, and the reconnect waits for the page
    environment.set({hidden: false})
    expect(log.at(-1)).toBe('reconnecting:1:0') // its delay has long passed
    await vi.advanceTimersByTimeAsync(0)
    await stream.next()
    expect(source.stats.reconnects).toBe(1)
  })

  it('counts the reconnection made when a hidden page becomes visible', async () => {
    const stream = mockStream()
    const environment = controlledEnvironment()
    const source = openSource({environment, pauseWhenHidden: 0})
    await stream.open()
    await until(() => source.readyState === EventSource.OPEN, 'open')
    environment.set({hidden: true})
    await vi.advanceTimersByTimeAsync(0)
    environment.set({hidden: false})
    await stream.open()
    await until(() => source.stats.connections === 2, 'the second connection')
    expect(source.stats.reconnects).toBe(1)
  })
})

describe('[ext] non-GET requests are never re-sent automatically', () => {
  it('a POST stream that drops is closed, not re-sent', async () => {
    const stream = mockStream()
    const source = openSource({method: 'POST', body: 'q'})
    const log = record(source)
    ;(await stream.open()).end()
    await until(() => log.length === 2, 'the error')
    expect(log).toEqual(['open:1', 'error:2:stream-ended'])
    await vi.advanceTimersByTimeAsync(60_000)
    expect(stream.connections).toHaveLength(1)
  })

  it('a POST stream is not paused when hidden (it could not be resumed)', async () => {
    const stream = mockStream()
    const environment = controlledEnvironment()
    openSource({method: 'POST', body: 'q', environment, pauseWhenHidden: 0, idleTimeout: 0})
    const connection = await stream.open()
    environment.set({hidden: true})
    await vi.advanceTimersByTimeAsync(60_000)
    expect(connection.aborted).toBe(false)
  })

  it('a stream body is not paused when hidden, even with retryNonGet (it could not be sent again)', async () => {
    const stream = mockStream()
    const environment = controlledEnvironment()
    const body = new Blob(['q']).stream()
    openSource({method: 'POST', body, retryNonGet: true, environment, pauseWhenHidden: 0, idleTimeout: 0})
    const connection = await stream.open()
    environment.set({hidden: true})
    await vi.advanceTimersByTimeAsync(60_000)
    expect(connection.aborted).toBe(false)
  })

  it('retryNonGet allows re-sending', async () => {
    const stream = mockStream()
    const source = openSource({method: 'POST', body: 'q', retryNonGet: true, retryDelay: 100})
    const log = record(source)
    ;(await stream.open()).end()
    await until(() => log.length === 3, 'reconnect scheduled')
    await vi.advanceTimersByTimeAsync(100)
    const again = await stream.next()
    expect(again.request.method).toBe('POST')
    expect(await again.request.text()).toBe('q')
  })
})

describe('the default browser environment', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('reads navigator.onLine and document.visibilityState, and releases its listeners', () => {
    const windowTarget = new EventTarget()
    const documentTarget = Object.assign(new EventTarget(), {visibilityState: 'visible'})
    vi.stubGlobal('navigator', {onLine: true})
    vi.stubGlobal('document', documentTarget)
    vi.stubGlobal('addEventListener', windowTarget.addEventListener.bind(windowTarget))
    vi.stubGlobal('removeEventListener', windowTarget.removeEventListener.bind(windowTarget))
    const environment = browserEnvironment()
    const onChange = vi.fn()
    const unsubscribe = environment.subscribe(onChange)
    expect([environment.isOnline(), environment.isHidden()]).toEqual([true, false])
    ;(globalThis.navigator as {onLine: boolean}).onLine = false
    documentTarget.visibilityState = 'hidden'
    windowTarget.dispatchEvent(new Event('offline'))
    documentTarget.dispatchEvent(new Event('visibilitychange'))
    expect([environment.isOnline(), environment.isHidden()]).toEqual([false, true])
    expect(onChange).toHaveBeenCalledTimes(2)
    unsubscribe()
    windowTarget.dispatchEvent(new Event('online'))
    documentTarget.dispatchEvent(new Event('visibilitychange'))
    expect(onChange).toHaveBeenCalledTimes(2)
  })

  it('treats a runtime without those globals (Node) as online and visible', () => {
    const environment = browserEnvironment()
    expect([environment.isOnline(), environment.isHidden()]).toEqual([true, false])
    expect(() => environment.subscribe(() => {})()).not.toThrow()
  })
})

it('flush helper does not advance timers', async () => {
  const callback = vi.fn()
  setTimeout(callback, 1)
  await flush()
  expect(callback).not.toHaveBeenCalled()
})
