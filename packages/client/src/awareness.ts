import type {Environment} from './types'

/** The transitions a connection reacts to. */
export interface AwarenessHandlers {
  offline(): void
  online(): void
  /** The page has been hidden for the whole grace period. */
  hidden(): void
  visible(): void
}

/**
 * Turns the environment's change notifications into edge-triggered transitions, and owns the one timer that
 * measures how long the page has been hidden. Returns the function that releases the subscription and the timer.
 */
export function watchAwareness(
  environment: Environment,
  settings: {networkAware: boolean; pauseWhenHidden: number | false},
  handlers: AwarenessHandlers,
): () => void {
  const {networkAware, pauseWhenHidden} = settings
  if (!networkAware && pauseWhenHidden === false) return () => {}
  let online = environment.isOnline()
  let hidden = false
  let hiddenTimer: ReturnType<typeof setTimeout> | undefined

  function update(): void {
    if (networkAware) {
      const nowOnline = environment.isOnline()
      if (nowOnline !== online) {
        online = nowOnline
        if (online) handlers.online()
        else handlers.offline()
      }
    }
    if (pauseWhenHidden !== false) {
      const nowHidden = environment.isHidden()
      if (nowHidden === hidden) return
      hidden = nowHidden
      if (hidden) {
        hiddenTimer = setTimeout(() => {
          hiddenTimer = undefined
          handlers.hidden()
        }, pauseWhenHidden)
      } else {
        if (hiddenTimer === undefined) handlers.visible()
        clearTimeout(hiddenTimer)
        hiddenTimer = undefined
      }
    }
  }

  const unsubscribe = environment.subscribe(update)
  update()
  return () => {
    unsubscribe()
    clearTimeout(hiddenTimer)
    hiddenTimer = undefined
  }
}
