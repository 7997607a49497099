import {describe, expect, it, vi} from 'vitest'
import {createSimulatedNetwork} from '../public/network.js'

function fakeGlobals(onLine = true) {
  const window = new EventTarget()
  const document = Object.assign(new EventTarget(), {visibilityState: 'visible'})
  return {
    navigator: {onLine},
    document,
    addEventListener: window.addEventListener.bind(window),
    removeEventListener: window.removeEventListener.bind(window),
    window,
  }
}

describe('createSimulatedNetwork', () => {
  it('is offline when simulated offline or when the browser says so', () => {
    const online = createSimulatedNetwork(fakeGlobals(true))
    expect(online.isOnline()).toBe(true)
    online.setOffline(true)
    expect([online.isOnline(), online.simulatedOffline]).toEqual([false, true])
    online.setOffline(false)
    expect(online.isOnline()).toBe(true)
    expect(createSimulatedNetwork(fakeGlobals(false)).isOnline()).toBe(false)
  })

  it('tells subscribers about the switch and about the browser events, until they unsubscribe', () => {
    const globals = fakeGlobals()
    const network = createSimulatedNetwork(globals)
    const onChange = vi.fn()
    const unsubscribe = network.subscribe(onChange)
    network.setOffline(true)
    network.setOffline(true) // no change, no call
    globals.window.dispatchEvent(new Event('online'))
    globals.document.dispatchEvent(new Event('visibilitychange'))
    expect(onChange).toHaveBeenCalledTimes(3)
    unsubscribe()
    network.setOffline(false)
    globals.window.dispatchEvent(new Event('offline'))
    expect(onChange).toHaveBeenCalledTimes(3)
  })

  it('reads visibility from the document', () => {
    const globals = fakeGlobals()
    const network = createSimulatedNetwork(globals)
    expect(network.isHidden()).toBe(false)
    globals.document.visibilityState = 'hidden'
    expect(network.isHidden()).toBe(true)
  })
})
