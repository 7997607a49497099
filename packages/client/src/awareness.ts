import type {Environment} from './types'

/** The transitions a connection reacts to. */
export interface AwarenessHandlers {
  offline(): void
  online(): void
  /** The page has been hidden for the whole grace period. */
  hidden(): void
  visible(): void
}

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
      const listen = (method: 'addEventListener' | 'removeEventListener'): void => {
        g[method]?.('online', onChange)
        g[method]?.('offline', onChange)
        g.document?.[method]?.('visibilitychange', onChange)
      }
      listen('addEventListener')
      return () => listen('removeEventListener')
    },
  }
}

/**
 * Turns the environment's change notifications into edge-triggered transitions, and owns the one timer that
 * measures how long the page has been hidden. Returns the function that releases the subscription and the timer.
 */
export function watchAwareness(
  environment: Environment,
  {networkAware, pauseWhenHidden}: {networkAware: boolean; pauseWhenHidden: number | false},
  handlers: AwarenessHandlers,
): () => void {
  let online = environment.isOnline()
  let hiddenTimer: ReturnType<typeof setTimeout> | undefined
  /** True once the hidden page's stream was paused, until the page is visible again. */
  let paused = false

  function update(): void {
    if (networkAware && environment.isOnline() !== online) {
      online = !online
      if (online) handlers.online()
      else handlers.offline()
    }
    if (pauseWhenHidden === false) return
    if (environment.isHidden()) {
      hiddenTimer ??= setTimeout(() => {
        paused = true
        handlers.hidden()
      }, pauseWhenHidden)
    } else {
      clearTimeout(hiddenTimer)
      hiddenTimer = undefined
      if (paused) handlers.visible()
      paused = false
    }
  }

  if (!networkAware && pauseWhenHidden === false) return () => {}
  const unsubscribe = environment.subscribe(update)
  update()
  return () => {
    unsubscribe()
    clearTimeout(hiddenTimer)
  }
}
