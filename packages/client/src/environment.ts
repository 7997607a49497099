import type {Environment} from './types'

interface BrowserGlobals {
  navigator?: {onLine?: boolean}
  document?: {visibilityState?: string} & Partial<EventTarget>
  addEventListener?: EventTarget['addEventListener']
  removeEventListener?: EventTarget['removeEventListener']
}

/**
 * The default environment: the window's or worker's `online`/`offline` events and `navigator.onLine`, and the
 * document's `visibilitychange`. Where a global is missing (Node, some workers) that signal is simply absent.
 */
export function browserEnvironment(): Environment {
  const g = globalThis as BrowserGlobals
  return {
    isOnline: () => g.navigator?.onLine !== false,
    isHidden: () => g.document?.visibilityState === 'hidden',
    subscribe(onChange) {
      const listener = (): void => onChange()
      g.addEventListener?.('online', listener)
      g.addEventListener?.('offline', listener)
      g.document?.addEventListener?.('visibilitychange', listener)
      return () => {
        g.removeEventListener?.('online', listener)
        g.removeEventListener?.('offline', listener)
        g.document?.removeEventListener?.('visibilitychange', listener)
      }
    },
  }
}
