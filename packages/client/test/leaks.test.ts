import {beforeEach, describe, expect, it, vi} from 'vitest'
import {EventSource} from '../src/index'
import {events} from '../src/iterate'
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

/** A source with every timer- and listener-owning feature on. */
function fullyFeatured(environment = controlledEnvironment()) {
  const source = openSource({environment, idleTimeout: 5000, pauseWhenHidden: 1000, retryDelay: 100})
  return {source, environment}
}

describe('no leaks', () => {
  it('after close(): no timer, no environment listener, the request aborted', async () => {
    const stream = mockStream()
    const {source, environment} = fullyFeatured()
    const connection = await stream.open()
    environment.set({hidden: true}) // arms the hidden timer too
    await until(() => source.readyState === EventSource.OPEN, 'open')
    expect(vi.getTimerCount()).toBe(2) // watchdog + hidden timer
    source.close()
    expect(vi.getTimerCount()).toBe(0)
    expect(environment.listeners.size).toBe(0)
    expect(connection.aborted).toBe(true)
  })

  it('after a fatal error: the same', async () => {
    const stream = mockStream()
    const {source, environment} = fullyFeatured()
    const log = record(source)
    ;(await stream.next()).respond({status: 404, body: ''})
    await until(() => log.length === 1, 'the error')
    expect(vi.getTimerCount()).toBe(0)
    expect(environment.listeners.size).toBe(0)
  })

  it('between reconnects: only the reconnect timer; each old request is aborted or finished', async () => {
    const stream = mockStream()
    const {source} = fullyFeatured()
    for (let i = 0; i < 5; i++) {
      const connection = await stream.open()
      connection.send('data: x\n\n')
      await until(() => source.stats.messages === i + 1, 'the message')
      await vi.advanceTimersByTimeAsync(5000) // idle timeout
      expect(connection.aborted).toBe(true)
      expect(vi.getTimerCount()).toBe(1) // the reconnect timer alone: the watchdog was released
      await vi.advanceTimersByTimeAsync(100)
    }
    source.close()
    await flush()
    expect(vi.getTimerCount()).toBe(0)
    expect(stream.connections.every((connection) => connection.aborted)).toBe(true)
  })

  it('an iterator abandoned without break leaves nothing behind once the source closes', async () => {
    const stream = mockStream()
    const {source} = fullyFeatured()
    const iterator = events(source)
    ;(await stream.open()).send('data: x\n\n')
    await until(() => source.stats.messages === 1, 'the message')
    source.close()
    expect((await iterator.next()).value?.data).toBe('x')
    expect(await iterator.next()).toEqual({done: true, value: undefined})
    expect(vi.getTimerCount()).toBe(0)
  })
})
