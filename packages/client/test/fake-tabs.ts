/**
 * A fake browser for sharing tests: one Web Locks manager and one BroadcastChannel namespace shared by the "tabs" of
 * an origin, each tab with its own view (so that a tab can crash, freeze or be hidden into the back/forward cache).
 * Locks follow the Web Locks spec's queue, `signal` and `steal`; messages are structured-cloned and delivered as
 * microtasks, in order, to every other open channel of the same name.
 */
import type {ChannelLike, LockManagerLike, SharingEnvironment} from '../src/shared'

interface Held {
  tab: FakeTab
  release: () => void
  reject: (error: unknown) => void
}
interface Queued extends Held {
  grant: () => void
}

export class FakeBrowser {
  readonly #locks = new Map<string, {holder?: Held; queue: Queued[]}>()
  readonly #channels = new Set<FakeChannel>()
  /** Every message posted, as `name → data`, for tests that count relays. */
  readonly posted: Array<{from: FakeTab; data: unknown}> = []

  tab(): FakeTab {
    return new FakeTab(this)
  }

  lock(name: string) {
    let lock = this.#locks.get(name)
    if (!lock) this.#locks.set(name, (lock = {queue: []}))
    return lock
  }

  /** Who holds `name`, and how many wait for it. */
  lockState(name?: string): {holder?: FakeTab; waiting: number} {
    const lock = name ? this.#locks.get(name) : [...this.#locks.values()][0]
    return {holder: lock?.holder?.tab, waiting: lock?.queue.length ?? 0}
  }

  grantNext(name: string): void {
    const lock = this.lock(name)
    if (lock.holder) return
    const next = lock.queue.shift()
    if (next) next.grant()
  }

  openChannel(tab: FakeTab, name: string): FakeChannel {
    const channel = new FakeChannel(this, tab, name)
    this.#channels.add(channel)
    return channel
  }

  deliver(from: FakeChannel, data: unknown): void {
    if (from.tab.frozen || from.tab.muted) return // a frozen page posts nothing (and hears nothing, below)
    this.posted.push({from: from.tab, data})
    const copy = structuredClone(data)
    for (const channel of this.#channels)
      if (channel !== from && channel.name === from.name && !channel.closed)
        queueMicrotask(() => {
          if (channel.closed || channel.tab.frozen) return
          const emit = (): void => void (!channel.closed && channel.emit(copy))
          const {held} = channel.tab
          if (held && (held.from ?? from.tab) === from.tab) held.queue.push(emit)
          else emit()
        })
  }

  forget(channel: FakeChannel): void {
    this.#channels.delete(channel)
  }

  /** Channels still open, over every tab (or `tab`'s). */
  get openChannels(): number {
    return this.channelsOf()
  }

  channelsOf(tab?: FakeTab): number {
    return [...this.#channels].filter((channel) => !channel.closed && (!tab || channel.tab === tab)).length
  }

  /** The locks `tab` holds, and its requests that wait. */
  locksOf(tab: FakeTab): number {
    let count = 0
    for (const lock of this.#locks.values())
      count += Number(lock.holder?.tab === tab) + lock.queue.filter((entry) => entry.tab === tab).length
    return count
  }

  /** The tab that holds `name`'s lock. */
  holder(name: string): FakeTab | undefined {
    return this.#locks.get(name)?.holder?.tab
  }

  /** A tab that dies: the browser drops its locks and requests and closes its channels, without telling it. */
  crash(tab: FakeTab): void {
    tab.crashed = true
    for (const channel of this.#channels) if (channel.tab === tab) channel.closed = true
    for (const [name, lock] of this.#locks) {
      lock.queue = lock.queue.filter((entry) => entry.tab !== tab)
      if (lock.holder?.tab === tab) {
        lock.holder = undefined
        this.grantNext(name)
      }
    }
  }
}

class FakeChannel implements ChannelLike {
  closed = false
  readonly #listeners: Array<(event: {data: unknown}) => void> = []

  constructor(
    readonly browser: FakeBrowser,
    readonly tab: FakeTab,
    readonly name: string,
  ) {}

  postMessage(message: unknown): void {
    if (this.tab.crashed) return // a crashed tab runs no code; its leftovers here say nothing
    if (this.closed) throw new DOMException('BroadcastChannel is closed', 'InvalidStateError')
    this.browser.deliver(this, message)
  }

  addEventListener(_type: 'message', listener: (event: {data: unknown}) => void): void {
    this.#listeners.push(listener)
  }

  emit(data: unknown): void {
    for (const listener of this.#listeners) listener({data})
  }

  close(): void {
    this.closed = true
    this.browser.forget(this)
  }
}

/** One tab: its view of the locks and channels, and its lifecycle. */
export class FakeTab {
  crashed = false
  /**
   * A paused page: it neither posts nor hears, and what was sent to it meanwhile is lost; its locks stay held. (Stricter
   * than Chromium, which keeps a debugger-paused page's messages for it; a frozen page leaves the channel instead.)
   */
  frozen = false
  /** Posts nothing. With `holdMessages()`: a page paused in Chromium's debugger, whose messages wait for it. */
  muted = false
  /**
   * Messages that reached the tab and wait, while it holds back those of one sender (`holdMessages`): the browser
   * orders neither messages of different senders nor a message and a lock grant.
   */
  held: {from?: FakeTab; queue: Array<() => void>} | undefined
  readonly #lifecycle = new Set<(running: boolean) => void>()
  random = 0.5
  readonly environment: SharingEnvironment

  constructor(readonly browser: FakeBrowser) {
    const locks: LockManagerLike = {
      request: (name, options, callback) => this.#request(name, options, callback),
    }
    this.environment = {
      locks,
      channel: (name) => browser.openChannel(this, name),
      lifecycle: (onChange) => {
        this.#lifecycle.add(onChange)
        return () => this.#lifecycle.delete(onChange)
      },
      random: () => this.random,
    }
  }

  /** `pagehide` or `freeze` (false), `pageshow` or `resume` (true). */
  lifecycle(running: boolean): void {
    for (const listener of [...this.#lifecycle]) listener(running)
  }

  /** Runs `task` now, or once the tab runs again when it holds back everything (a page paused in the debugger). */
  #whenRunning(task: () => void): void {
    if (this.held && !this.held.from) this.held.queue.push(task)
    else task()
  }

  /** Pauses the tab as Chromium's debugger does: it posts nothing; messages and lock grants wait for it. */
  pause(): void {
    this.muted = true
    this.holdMessages()
  }

  /** The paused tab runs again: what waited for it comes, in order. */
  unpause(): void {
    this.muted = false
    this.releaseMessages()
  }

  /**
   * Holds back the messages that reach the tab from now on (from `from` only, when given), until `releaseMessages()`
   * delivers them in order: they arrive after what other tabs sent later, and after a lock grant.
   */
  holdMessages(from?: FakeTab): void {
    this.held ??= {from, queue: []}
  }

  releaseMessages(): void {
    const queue = this.held?.queue ?? []
    this.held = undefined
    for (const emit of queue) emit()
  }

  get lifecycleListeners(): number {
    return this.#lifecycle.size
  }

  #request(
    name: string,
    options: {signal?: AbortSignal; steal?: boolean},
    callback: (lock: unknown) => Promise<void>,
  ): Promise<void> {
    const lock = this.browser.lock(name)
    return new Promise<void>((resolve, reject) => {
      if (this.crashed) return
      const entry: Queued = {
        tab: this,
        // A page paused in the debugger hears of its lock's loss when it runs again, as of a message.
        reject: (error) => this.#whenRunning(() => reject(error)),
        release: () => {},
        grant: () => {
          lock.holder = entry
          let released = false
          entry.release = () => {
            if (released) return
            released = true
            if (lock.holder === entry) lock.holder = undefined
            this.browser.grantNext(name)
          }
          // The grant reaches a paused page when it runs again, after what was sent to it before.
          this.#whenRunning(
            () =>
              void Promise.resolve()
                .then(() => callback({name}))
                .then(
                  (value) => {
                    entry.release()
                    resolve(value)
                  },
                  (error: unknown) => {
                    entry.release()
                    reject(error)
                  },
                ),
          )
        },
      }
      if (options.steal) {
        const holder = lock.holder
        lock.holder = undefined
        holder?.reject(new DOMException('The lock was stolen', 'AbortError'))
        return entry.grant()
      }
      if (options.signal?.aborted) return reject(options.signal.reason)
      options.signal?.addEventListener('abort', () => {
        const index = lock.queue.indexOf(entry)
        if (index < 0) return
        lock.queue.splice(index, 1)
        reject(options.signal!.reason)
      })
      lock.queue.push(entry)
      this.browser.grantNext(name)
    })
  }
}
