import {afterEach, expect, it, vi} from 'vitest'

afterEach(() => {
  vi.unstubAllGlobals()
  vi.resetModules()
})

it('installs Holdfast as globalThis.EventSource and keeps the native class as NativeEventSource', async () => {
  class Native {}
  vi.stubGlobal('EventSource', Native)
  vi.stubGlobal('NativeEventSource', undefined)
  const {EventSource} = await import('../src/polyfill')
  const scope = globalThis as {EventSource?: unknown; NativeEventSource?: unknown}
  expect(scope.EventSource).toBe(EventSource)
  expect(scope.NativeEventSource).toBe(Native)
  expect(EventSource).not.toBe(Native)
})

it('installs where there was no EventSource at all (Node 20)', async () => {
  vi.stubGlobal('EventSource', undefined)
  vi.stubGlobal('NativeEventSource', undefined)
  const {EventSource} = await import('../src/polyfill')
  const scope = globalThis as {EventSource?: unknown; NativeEventSource?: unknown}
  expect(scope.EventSource).toBe(EventSource)
  expect(scope.NativeEventSource).toBeUndefined()
})
