// The `environment` Holdfast gets in the demo: the browser's real online and visibility signals, plus a switch
// that the "Go offline" button flips, so that a simulated outage reaches Holdfast the way a real `offline` would.

/**
 * @typedef {object} BrowserSignals
 * @property {{onLine?: boolean}} [navigator]
 * @property {{visibilityState?: string, addEventListener?: EventTarget['addEventListener'],
 *   removeEventListener?: EventTarget['removeEventListener']}} [document]
 * @property {EventTarget['addEventListener']} [addEventListener]
 * @property {EventTarget['removeEventListener']} [removeEventListener]
 */

/**
 * @param {BrowserSignals} [globals] where the real signals come from (the page's globals)
 * @returns {import('@holdfast/client').Environment & {readonly simulatedOffline: boolean,
 *   setOffline(offline: boolean): void}}
 */
export function createSimulatedNetwork(globals = /** @type {BrowserSignals} */ (globalThis)) {
  let offline = false
  /** @type {Set<() => void>} */
  const listeners = new Set()
  return {
    get simulatedOffline() {
      return offline
    },
    setOffline(value) {
      if (value === offline) return
      offline = value
      for (const listener of [...listeners]) listener()
    },
    isOnline: () => !offline && globals.navigator?.onLine !== false,
    isHidden: () => globals.document?.visibilityState === 'hidden',
    subscribe(onChange) {
      listeners.add(onChange)
      globals.addEventListener?.('online', onChange)
      globals.addEventListener?.('offline', onChange)
      globals.document?.addEventListener?.('visibilitychange', onChange)
      return () => {
        listeners.delete(onChange)
        globals.removeEventListener?.('online', onChange)
        globals.removeEventListener?.('offline', onChange)
        globals.document?.removeEventListener?.('visibilitychange', onChange)
      }
    },
  }
}
