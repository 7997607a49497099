/** The part of the Web Locks API that sharing uses (`navigator.locks`). */
export interface LockManagerLike {
  request(
    name: string,
    options: {signal?: AbortSignal; steal?: boolean},
    callback: (lock: unknown) => Promise<void>,
  ): Promise<void>
}

/** The part of a `BroadcastChannel` that sharing uses. */
export interface ChannelLike {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: (event: {data: unknown}) => void): void
  close(): void
}

/**
 * Where tabs meet: a lock manager and channels shared by every tab of the origin, and the page's lifecycle. The
 * default is the browser's (`navigator.locks`, `BroadcastChannel`, `pagehide`/`pageshow`, `freeze`/`resume`);
 * pass your own to drive sharing in tests, or where those live elsewhere.
 */
export interface SharingEnvironment {
  readonly locks: LockManagerLike
  channel(name: string): ChannelLike
  /**
   * Calls `onChange(false)` when the page may stop running (it is hidden into the back/forward cache, unloaded or
   * frozen) and `onChange(true)` when it runs again; returns the function that unsubscribes.
   */
  lifecycle(onChange: (running: boolean) => void): () => void
  /** Random numbers in [0, 1), for the jitter of a takeover. */
  random(): number
}

interface BrowserGlobals {
  navigator?: {locks?: LockManagerLike}
  BroadcastChannel?: new (name: string) => ChannelLike
  document?: Partial<EventTarget>
  addEventListener?: EventTarget['addEventListener']
  removeEventListener?: EventTarget['removeEventListener']
}

let browser: SharingEnvironment | null | undefined

/**
 * The browser's environment, one per realm so that every instance in a tab shares it; `null` where Web Locks or
 * BroadcastChannel are missing (an insecure origin other than localhost, an old browser, Node): then sources run
 * solo. Never an `unload` handler: it would keep the page out of the back/forward cache.
 */
export function browserSharing(): SharingEnvironment | null {
  if (browser !== undefined) return browser
  const g = globalThis as BrowserGlobals
  const locks = g.navigator?.locks
  const Channel = g.BroadcastChannel
  if (!locks || !Channel) return (browser = null)
  return (browser = {
    locks,
    channel: (name) => new Channel(name),
    lifecycle(onChange) {
      // Removing every listener is the platform's work: they share one signal.
      const listening = new AbortController()
      const on = (target: Partial<EventTarget> | undefined, type: string, running: boolean): void =>
        target?.addEventListener?.(type, () => onChange(running), {signal: listening.signal})
      on(g, 'pagehide', false)
      on(g, 'pageshow', true)
      on(g.document, 'freeze', false)
      on(g.document, 'resume', true)
      return () => listening.abort()
    },
    random: Math.random,
  })
}

/** A tab's id on the channel. */
export function randomId(): string {
  return globalThis.crypto?.randomUUID?.() ?? String(Math.random()).slice(2)
}
