/**
 * A model-based property test of a stream shared across tabs (`SharedEventSource`), over the fake browser of
 * fake-tabs.ts (the tabs of one origin, their Web Locks and BroadcastChannels) and a fake server. fast-check drives
 * random sequences of commands: events published with and without ids and of two types, a few to a network chunk;
 * heartbeats, drops and a fatal 401; instances opened and closed, in new tabs and old ones, and from inside listeners
 * (a message's, a fatal error's); tabs closed, crashed, paused (as by a debugger: what is sent to them waits), hidden into the back/forward cache or frozen and restored; slow and stopped `for await` loops; time. GET
 * streams, and POST streams that may or may not be sent again.
 *
 * After every step: each instance received the server's events since it joined (a relay in flight may bring a few
 * before), in order, once, of the right type and with the right `lastEventId`, while OPEN, and never after it
 * closed; it is OPEN only after its `open` event; the instances of a tab agree on its role, and at most one running
 * tab leads; a tab whose instances all closed holds no lock, channel or lifecycle listener; a stream that may not be
 * sent again is sent once. When the stream has settled (a minute with nothing but time): every instance of a running
 * tab is OPEN and has every event, one tab leads, holds the lock and runs the one connection. At the end, every
 * instance closed: no timer, lock, channel, listener or request is left.
 *
 * What the server cannot send again is lost to every tab, as to a source of its own, and expected to be: an event
 * published while no running tab's connection was open, before the stream had an id to resume from. A new stream
 * (after a fatal error, or once every instance closed) starts without an id. `HOLDFAST_MODEL_SEED` and
 * `HOLDFAST_MODEL_RUNS` replay or widen a run; a failure prints its seed and the shrunk command sequence.
 */
import fc from 'fast-check'
import {afterEach, describe, expect, it, vi} from 'vitest'
import type {Environment, StreamMessage} from '../src/index'
import {events as iterate} from '../src/iterate'
import {SharedEventSource} from '../src/shared'
import {FakeBrowser, type FakeTab} from './fake-tabs'
import {flush, useFakeClock} from './harness'

const STREAM = 'http://model.test/shared'
const encoder = new TextEncoder()
const online: Environment = {isOnline: () => true, isHidden: () => false, subscribe: () => () => {}}
/** A loop's stall guard, longer than a settling: a loop that holds the network read is seen as such. */
const STALL = 90_000

/** One event the server published. */
interface Published {
  index: number
  id?: string
  type: 'message' | 'update'
  /**
   * No running tab's connection got it, and the next may not ask for it again (no id yet, or an uncertain tab may
   * take over): it may be lost to every tab (though a paused tab's connection may yet read it, and relay it). If it
   * comes, it comes in order, once.
   */
  fragile: boolean
  /**
   * No running tab's connection got it: the next connection gets it again from the last id, if its tab knows it.
   * Until one opens; fragile if the first to open is an uncertain tab's.
   */
  pending?: boolean
  /**
   * Tabs that were away when it was published, and had no id to resume from: what they missed can come only from a
   * leader that delivered it, and may be lost to them if none is left.
   */
  awayWithoutId: Set<Tab>
  /** The `lastEventId` it must carry: the last id before it that is not fragile, or any last id before it. */
  lastEventIds: [string, string]
  /** Any `lastEventId` will do: it went out only over a stream that a tab began not knowing the last id. */
  anyLastEventId?: boolean
  /** The stream it belongs to (a new one starts after a fatal error, or once every instance closed). */
  lineage: number
}

interface Tab {
  fake: FakeTab
  name: string
  crashed: boolean
  /** Paused, as by a debugger: it posts nothing, what is sent to it waits, and it keeps its lock. */
  paused: boolean
  /** Hidden into the back/forward cache, or frozen: `pagehide`/`freeze` fired, `pageshow`/`resume` not yet. */
  away: boolean
  /** The stream's last id when it went away. */
  awayFrom?: string
  /** Requests its code made while it was paused: sent once it runs again. */
  requests: Array<() => void>
}

/** A `for await` loop over an instance, which takes one message per `take` command. */
interface Loop {
  /** Where it started in the instance's `received`. */
  from: number
  taken: number[]
  waiting: boolean
  ended: boolean
  error?: {code?: string}
  take(): void
}

interface Instance {
  name: string
  tab: Tab
  source: SharedEventSource
  lineage: number
  /** How many events the server had published when it was created. */
  joined: number
  /**
   * Created while only a paused tab had the stream: it gets that stream, or begins one afresh (it may steal from the
   * silent leader) without knowing its last id.
   */
  uncertain: boolean
  received: number[]
  closed: boolean
  /** The last of its `open` and `error` events was `open`. */
  opened: boolean
  loop?: Loop
}

/** A stream request the fake server answered with an open event stream. */
interface Connection {
  tab: Tab
  lineage: number
  body: ReadableStreamDefaultController<Uint8Array>
  open: boolean
  /** Opened by a tab that began the stream not knowing its last id (see `Instance.uncertain`). */
  uncertain: boolean
  /** What waits for a paused tab to read it, and whether the network dropped it after that. */
  pending: string
  dropped?: boolean
}

interface ModelConfig {
  method: 'GET' | 'POST'
  retryNonGet: boolean
  idleTimeout: number
}

class World {
  readonly browser = new FakeBrowser()
  readonly tabs: Tab[] = []
  readonly instances: Instance[] = []
  readonly events: Published[] = []
  readonly connections: Connection[] = []
  readonly violations: string[] = []
  lineage = 0
  /** Whether the current stream failed for good: the next instance starts a new one. */
  ended = false
  /** The newest id of the current stream that a client holds: the server replays what follows it. */
  lastId = ''
  /** Requests per stream. */
  readonly requests = new Map<number, number>()
  fatalNext = false
  /** Actions to take inside the next listener call of a tab's instance. */
  readonly inside: Array<{tab: Tab; on: 'message' | 'error'; action: 'close' | 'open'}> = []

  constructor(readonly config: ModelConfig) {}

  get resendable(): boolean {
    return this.config.method === 'GET' || this.config.retryNonGet
  }

  violate(what: string): void {
    this.violations.push(`${what} (at ${Date.now()} ms)`)
  }

  running(tab: Tab): boolean {
    return !tab.crashed && !tab.paused && !tab.away
  }

  live(): Instance[] {
    return this.instances.filter((instance) => !instance.closed)
  }

  // ─── The tabs and their instances ──────────────────────────────────────────────────────────────────────────────

  newTab(random: number): void {
    const fake = this.browser.tab()
    fake.random = random
    const tab: Tab = {fake, name: `tab ${this.tabs.length}`, crashed: false, paused: false, away: false, requests: []}
    this.tabs.push(tab)
    this.open(tab)
  }

  open(tab: Tab): void {
    // An instance joins its tab's stream, if the tab has one that has not failed (instances of a tab share it).
    // Otherwise a new stream begins when the last one failed for good, or when no tab has it that can answer: every
    // instance of it closed, or in a tab that is away (its lock went). Where only a paused tab has it, this one hears
    // of it when that tab runs again, unless it goes first: which stream it gets is not known (`uncertain`).
    const sibling = this.live().find((i) => i.tab === tab && i.source.readyState !== 2)
    const current = this.live().filter((i) => i.lineage === this.lineage)
    const fresh = !sibling && (this.ended || !current.some((i) => this.running(i.tab) || i.tab.paused))
    if (fresh) {
      this.lineage++
      this.ended = false
      this.lastId = ''
    }
    const uncertain = sibling ? sibling.uncertain : !fresh && !current.some((i) => this.running(i.tab) && !i.uncertain)
    const {method, retryNonGet, idleTimeout} = this.config
    const instance = {
      name: `instance ${this.instances.length} (${tab.name})`,
      tab,
      lineage: sibling?.lineage ?? this.lineage,
      joined: this.events.length,
      uncertain,
      received: [],
      closed: false,
      opened: false,
    } as unknown as Instance
    instance.source = new SharedEventSource(STREAM, {
      sharing: tab.fake.environment,
      fetch: (_url, request) => this.fetch(instance, request!),
      environment: online,
      method,
      body: method === 'POST' ? 'q' : undefined,
      retryNonGet,
      idleTimeout,
      jitter: 0,
      retryDelay: 100,
      maxRetryDelay: 2000,
    })
    this.instances.push(instance)
    const {source} = instance
    // [spec] A new EventSource is CONNECTING until its `open` event, even where the stream is open already.
    if (source.readyState !== 0) this.violate(`${instance.name}: readyState ${source.readyState} when created`)
    source.subscribe((message) => this.received(instance, message))
    source.addEventListener('open', () => {
      if (source.readyState !== 1) this.violate(`${instance.name}: readyState ${source.readyState} in open`)
      if (instance.closed) this.violate(`${instance.name}: open after it closed`)
      instance.opened = true
    })
    source.addEventListener('error', (event) => {
      instance.opened = false
      if (event.error === undefined) this.violate(`${instance.name}: a server's error taken for a failure`)
      if (source.readyState !== 2) return
      if (instance.lineage === this.lineage) this.ended = true
      instance.closed = true
      this.act(instance, 'error')
    })
  }

  /** Takes the first action asked for inside a listener of `instance`'s tab. */
  act(instance: Instance, on: 'message' | 'error'): void {
    const at = this.inside.findIndex((action) => action.tab === instance.tab && action.on === on)
    if (at < 0) return
    const [{action}] = this.inside.splice(at, 1) as [(typeof this.inside)[number]]
    if (action === 'open') this.open(instance.tab)
    else this.close(instance)
  }

  close(instance: Instance): void {
    instance.closed = true
    instance.source.close()
  }

  /** The tab's process dies: the browser drops its locks and channels; its code runs no more (here: closed). */
  crash(tab: Tab): void {
    this.browser.crash(tab.fake)
    tab.crashed = true
    for (const instance of this.instances) if (instance.tab === tab && !instance.closed) this.close(instance)
  }

  /**
   * A debugger pauses the tab: it posts nothing, and what is sent to it waits, its messages, its lock's grant and its
   * network data alike; so do the requests it makes (the fake still runs its timers).
   */
  pause(tab: Tab): void {
    tab.paused = true
    tab.fake.pause()
  }

  unpause(tab: Tab): void {
    tab.paused = false
    tab.fake.unpause()
    for (const send of tab.requests.splice(0)) send()
    for (const connection of this.connections) if (connection.tab === tab) this.deliver(connection, '')
  }

  loop(instance: Instance): void {
    const iterator = iterate(instance.source, {bufferSize: 3, stallTimeout: STALL})
    const loop: Loop = {
      from: instance.received.length,
      taken: [],
      waiting: false,
      ended: false,
      take() {
        if (loop.waiting || loop.ended) return
        loop.waiting = true
        iterator.next().then(
          (result) => {
            loop.waiting = false
            if (result.done) loop.ended = true
            else loop.taken.push(Number(result.value.data))
          },
          (error: {code?: string}) => {
            Object.assign(loop, {waiting: false, ended: true, error})
          },
        )
      },
    }
    instance.loop = loop
  }

  // ─── The server ────────────────────────────────────────────────────────────────────────────────────────────────

  fetch(instance: Instance, request: RequestInit): Promise<Response> {
    const signal = request.signal!
    if (signal.aborted) return Promise.reject(new DOMException('aborted', 'AbortError'))
    const {tab, lineage} = instance
    if (tab.crashed) return Promise.reject(new TypeError('the tab crashed'))
    // A paused page sends nothing: the request goes once it runs again (the fake still runs its timers).
    if (tab.paused) return new Promise((resolve) => tab.requests.push(() => resolve(this.fetch(instance, request))))
    // A tab that never heard of the stream (uncertain) sends its own request, as a source of its own would.
    const count = (this.requests.get(lineage) ?? 0) + Number(!instance.uncertain)
    this.requests.set(lineage, count)
    if (count > 1 && !this.resendable) this.violate(`a ${this.config.method} sent again (request ${count})`)
    if (this.fatalNext) {
      this.fatalNext = false
      return Promise.resolve(new Response('denied', {status: 401}))
    }
    let body!: ReadableStreamDefaultController<Uint8Array>
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => void (body = controller),
      cancel: () => void (connection.open = false),
    })
    const connection: Connection = {tab, lineage, body, open: true, pending: '', uncertain: instance.uncertain}
    for (const event of this.events)
      if (event.pending) Object.assign(event, {pending: false, fragile: event.fragile || instance.uncertain})
    signal.addEventListener('abort', () => {
      if (!connection.open) return
      connection.open = false
      body.error(new DOMException('aborted', 'AbortError'))
    })
    this.connections.push(connection)
    // It replays by id: what followed the event with that id (nothing without an id, or for one it does not know).
    const lastEventId = new Headers(request.headers).get('last-event-id') ?? ''
    const at = lastEventId === '' ? -1 : this.events.findIndex((event) => event.id === lastEventId)
    this.deliver(connection, (at < 0 ? [] : this.events.slice(at + 1)).map(frame).join(''))
    return Promise.resolve(new Response(stream, {headers: {'content-type': 'text/event-stream'}}))
  }

  /** Connections open to the current stream from a running tab. */
  up(): Connection[] {
    return this.connections.filter((c) => c.open && c.lineage === this.lineage && this.running(c.tab))
  }

  publish(specs: Array<{id: boolean; type: Published['type']}>): void {
    const up = this.up()
    const reached = up.length > 0
    // Over a stream that a tab began not knowing the last id, events carry what that tab knew.
    const anyId = reached && up.every((connection) => connection.uncertain)
    // What no running tab's connection gets is sent again to the next one from the last id, if it knows it: not if
    // there is none yet, nor if an uncertain tab may take over. And what a paused tab's connection holds for it may
    // be lost with it: the fake runs that page's timers, which may end the connection first.
    const unknowing =
      this.live().some((instance) => instance.uncertain) || this.connections.some((c) => c.open && c.tab.paused)
    const chunk = specs.map(({id, type}) => {
      const index = this.events.length
      const fragile = !reached && (this.lastId === '' || unknowing)
      const pending = !reached && !fragile
      const awayWithoutId = new Set(this.tabs.filter((tab) => tab.away && tab.awayFrom === ''))
      const event: Published = {
        index,
        type,
        fragile,
        pending,
        awayWithoutId,
        lastEventIds: ['', ''],
        lineage: this.lineage,
      }
      if (id) event.id = String(index)
      if (!fragile && id) this.lastId = event.id!
      const before = [...this.events].reverse().find((e) => e.lineage === this.lineage && e.id !== undefined)
      event.lastEventIds = [this.lastId, event.id ?? before?.id ?? '']
      event.anyLastEventId = anyId
      this.events.push(event)
      return frame(event)
    })
    this.send(chunk.join(''))
  }

  send(text: string): void {
    for (const connection of this.connections) this.deliver(connection, text)
  }

  /** Sends `text` on an open connection, then its drop; a paused tab reads what waited once it runs again. */
  deliver(connection: Connection, text: string): void {
    connection.pending += text
    if (!connection.open || connection.tab.paused) return
    if (connection.pending) connection.body.enqueue(encoder.encode(connection.pending))
    connection.pending = ''
    if (!connection.dropped) return
    connection.open = false
    connection.body.error(new TypeError('connection reset'))
  }

  /** The network drops every open stream (`fatal`: and the next request is answered 401). */
  drop(fatal: boolean): void {
    this.fatalNext ||= fatal
    for (const connection of this.connections) {
      connection.dropped = true
      this.deliver(connection, '')
    }
  }

  // ─── What each instance receives ───────────────────────────────────────────────────────────────────────────────

  /** Whether `tab` must get `event`, if it is of its stream. */
  owed(event: Published, tab: Tab): boolean {
    return !event.fragile && !event.awayWithoutId.has(tab)
  }

  /** The first event of `lineage` after `index` that `tab` must get. */
  next(index: number, lineage: number, tab: Tab): number | undefined {
    return this.events.find((e) => e.index > index && e.lineage === lineage && this.owed(e, tab))?.index
  }

  /** The event of `lineage` with id `lastEventId`: a reconnection from that id gets what follows it again. */
  withId(lastEventId: string, lineage: number): number {
    if (lastEventId === '') return -1
    return this.events.findIndex((e) => e.id === lastEventId && e.lineage === lineage)
  }

  received(instance: Instance, {type, data, lastEventId}: StreamMessage): void {
    const index = Number(data)
    const event = this.events[index]
    const where = `${instance.name} got event ${index}`
    if (!event) return this.violate(`${where}, never published`)
    if (instance.closed) this.violate(`${where} after it closed`)
    if (instance.source.readyState !== 1) this.violate(`${where} with readyState ${instance.source.readyState}`)
    if (type !== event.type) this.violate(`${where} as type ${type}`)
    const previous = instance.received.at(-1)
    const highest = Math.max(-1, ...instance.received)
    // Events without an id that follow the last id come again after a reconnection from it, to any source: a
    // server cannot tell what a client had of them (at least once). Any other repeat is a defect.
    const from = this.withId(lastEventId, event.lineage)
    const again = from >= 0 && this.events.slice(from + 1, highest + 1).every((e) => e.id === undefined)
    if (index <= highest && !again) this.violate(`${where} twice`)
    // A fragile event may be lost: it comes in order, once, but what comes next need not follow it at once.
    if (event.lineage === instance.lineage && this.owed(event, instance.tab) && !instance.uncertain) {
      // The first after it joined (or one before, still in flight); then the next it lacks; or, starting again,
      // the first after the id it resumed from.
      const after = previous === undefined ? instance.joined - 1 : index <= previous ? from : previous
      const expected = this.next(after, instance.lineage, instance.tab)
      const wrong = previous === undefined ? expected !== undefined && index > expected : index !== expected
      if (wrong) this.violate(`${where} after ${previous ?? 'nothing'}; the next it lacks is ${expected}`)
      if (!event.anyLastEventId && !event.lastEventIds.includes(lastEventId))
        this.violate(`${where} with lastEventId ${lastEventId}`)
    }
    instance.received.push(index)
    this.act(instance, 'message')
  }

  // ─── The invariants ────────────────────────────────────────────────────────────────────────────────────────────

  /** What holds between any two steps. */
  async check(): Promise<void> {
    await flush()
    for (const instance of this.instances) {
      const {source, name} = instance
      if (instance.closed) expect(source.readyState, `${name} closed`).toBe(2)
      else if (source.readyState === 1) expect(instance.opened, `${name} OPEN before its open event`).toBe(true)
      const {loop} = instance
      if (loop) {
        const delivered = instance.received.slice(loop.from).filter((index) => this.events[index]!.type === 'message')
        expect(loop.taken, `${name}'s loop`).toEqual(delivered.slice(0, loop.taken.length))
        if (loop.ended && !instance.closed) expect(loop.error?.code, `${name}'s loop ended`).toBe('buffer-overflow')
      }
    }
    expect(this.violations).toEqual([])
    let leaders = 0
    for (const tab of this.tabs) {
      const instances = this.live().filter((instance) => instance.tab === tab)
      if (instances.length === 0) {
        const {fake} = tab
        const left = [this.browser.locksOf(fake), this.browser.channelsOf(fake), fake.lifecycleListeners]
        expect(left, `${tab.name} with no instance: locks, channels, listeners`).toEqual([0, 0, 0])
        continue
      }
      const roles = new Set(instances.map((instance) => instance.source.role))
      expect(roles.size, `${tab.name}: its instances' roles`).toBe(1)
      expect(roles.has('solo'), `${tab.name} solo`).toBe(false)
      if (this.running(tab) && roles.has('leader')) leaders++
    }
    expect(leaders, 'running tabs that lead').toBeLessThanOrEqual(1)
    if (this.live().length === 0) expect(vi.getTimerCount(), 'timers left with every instance closed').toBe(0)
  }

  /**
   * Paused tabs run again (the fake cannot stop a paused page's timers, so a pause is kept short), then a minute of
   * nothing but heartbeats: the stream must have settled.
   */
  async settle(): Promise<void> {
    for (const tab of this.tabs) if (tab.paused) this.unpause(tab)
    for (let second = 0; second < 60; second++) {
      this.send(':\n') // the server's heartbeat: a healthy stream is not ended by its idle timeout
      await vi.advanceTimersByTimeAsync(1000)
    }
    await this.check()
    const running = this.live().filter((instance) => instance.lineage === this.lineage && this.running(instance.tab))
    // Where two streams met (a tab away or paused through a fatal error, or while another began afresh), which one
    // the tabs share is the leader's: there is no one stream to hold them to.
    if (running.length === 0 || this.live().some((instance) => instance.lineage !== this.lineage)) return
    const tabs = new Set(running.map((instance) => instance.tab))
    const leading = [...tabs].filter((tab) => running.find((i) => i.tab === tab)!.source.role === 'leader')
    expect(leading.length, 'running tabs that lead, settled').toBe(1)
    const up = this.up()
    expect(
      up.map((connection) => connection.tab.name),
      'connections, settled',
    ).toEqual([leading[0]!.name])
    expect(this.browser.lockState().holder, 'the lock, settled').toBe(leading[0]!.fake)
    for (const instance of running) {
      expect(instance.source.readyState, `${instance.name} settled`).toBe(1)
      const last = [...this.events].reverse().find((e) => e.lineage === this.lineage && this.owed(e, instance.tab))
      if (last && last.index >= instance.joined && !instance.uncertain)
        expect(instance.received, `${instance.name} settled, has the last event`).toContain(last.index)
    }
  }

  /** Every instance closes: nothing may be left. */
  async end(): Promise<void> {
    for (const tab of this.tabs) if (tab.paused) this.unpause(tab)
    for (const instance of this.live()) this.close(instance)
    await flush()
    expect(this.violations).toEqual([])
    expect(this.browser.openChannels, 'channels left').toBe(0)
    for (const {fake, name} of this.tabs)
      expect([this.browser.locksOf(fake), fake.lifecycleListeners], `${name}: locks, listeners left`).toEqual([0, 0])
    expect(
      this.connections.filter((connection) => connection.open),
      'requests left',
    ).toEqual([])
    expect(vi.getTimerCount(), 'timers left').toBe(0)
  }
}

function frame({type, id, index}: Published): string {
  return `${type === 'message' ? '' : `event: ${type}\n`}${id === undefined ? '' : `id: ${id}\n`}data: ${index}\n\n`
}

type Command = fc.AsyncCommand<object, World>

/** A command that is always applicable: it acts if the world allows it, then the invariants are checked. */
function command(name: string, act: (world: World) => void | Promise<void>): Command {
  return {
    check: () => true,
    async run(_model, world) {
      await act(world)
      await world.check()
    },
    toString: () => name,
  }
}

/** The `pick`-th of `items`, when there is one. */
function nth<T>(items: T[], pick: number): T | undefined {
  return items.length ? items[pick % items.length] : undefined
}

const runningTabs = (world: World) => world.tabs.filter((tab) => world.running(tab))
const runningInstances = (world: World) => world.live().filter((instance) => world.running(instance.tab))
const pick = fc.nat(99)

const commands = [
  ...Array.from({length: 4}, () =>
    fc
      .array(fc.record({id: fc.boolean(), type: fc.constantFrom('message', 'message', 'update')}), {
        minLength: 1,
        maxLength: 3,
      })
      .map((specs) =>
        command(`publish ${specs.map(({id, type}) => `${type}${id ? '#' : ''}`).join(' ')}`, (world) =>
          world.publish(specs as Array<{id: boolean; type: Published['type']}>),
        ),
      ),
  ),
  fc.constant(command('heartbeat', (world) => world.send(':\n'))),
  fc.constant(command('drop', (world) => world.drop(false))),
  fc.constant(command('fatal 401', (world) => world.drop(true))),
  ...Array.from({length: 3}, () =>
    fc
      .constantFrom(10, 100, 1000, 5000)
      .map((ms) => command(`advance ${ms} ms`, async () => void (await vi.advanceTimersByTimeAsync(ms)))),
  ),
  fc.constant(command('settle', (world) => world.settle())),
  fc
    .double({min: 0, max: 1, noNaN: true, maxExcluded: true})
    .map((random) => command(`new tab (random ${random.toFixed(2)})`, (world) => world.newTab(random))),
  pick.map((n) =>
    command(`open in tab #${n}`, (world) => {
      const tab = nth(runningTabs(world), n)
      if (tab) world.open(tab)
    }),
  ),
  pick.map((n) =>
    command(`close instance #${n}`, (world) => {
      const instance = nth(runningInstances(world), n)
      if (instance) world.close(instance)
    }),
  ),
  fc.tuple(pick, fc.constantFrom('message', 'error'), fc.constantFrom('close', 'open')).map(([n, on, action]) =>
    command(`${action} inside the next ${on} listener of tab #${n}`, (world) => {
      const tab = nth(runningTabs(world), n)
      if (tab && !(on === 'error' && action === 'close')) world.inside.push({tab, on, action})
    }),
  ),
  fc.tuple(pick, fc.constantFrom('close', 'crash', 'away', 'back', 'pause', 'unpause')).map(([n, what]) =>
    command(`${what} tab #${n}`, (world) => {
      const tab = nth(
        world.tabs.filter((t) => !t.crashed),
        n,
      )
      if (!tab) return
      if (what === 'crash') world.crash(tab)
      else if (what === 'close') {
        if (!world.running(tab)) return
        tab.fake.lifecycle(false) // pagehide, then the page is gone
        world.crash(tab)
      } else if (what === 'away' && world.running(tab)) {
        tab.away = true
        tab.awayFrom = world.lastId
        tab.fake.lifecycle(false)
      } else if (what === 'back' && tab.away) {
        tab.away = false
        tab.fake.lifecycle(true)
      } else if (what === 'pause' && world.running(tab)) world.pause(tab)
      else if (what === 'unpause' && tab.paused) world.unpause(tab)
    }),
  ),
  pick.map((n) =>
    command(`a for await loop on instance #${n}`, (world) => {
      const instance = nth(
        runningInstances(world).filter((i) => !i.loop),
        n,
      )
      if (instance) world.loop(instance)
    }),
  ),
  ...Array.from({length: 2}, () =>
    pick.map((n) =>
      command(`loop #${n} takes a message`, (world) => {
        const instance = nth(
          runningInstances(world).filter((i) => i.loop),
          n,
        )
        instance?.loop!.take()
      }),
    ),
  ),
]

const config: fc.Arbitrary<ModelConfig> = fc.record({
  method: fc.constantFrom('GET', 'GET', 'GET', 'POST'),
  retryNonGet: fc.boolean(),
  idleTimeout: fc.constantFrom(0, 5000, 5000),
})

const seed = Number(process.env.HOLDFAST_MODEL_SEED ?? 20261208)
const numRuns = Number(process.env.HOLDFAST_MODEL_RUNS ?? 100)

describe('[ext] a stream shared across tabs, against a model', () => {
  let world: World | undefined
  afterEach(() => {
    for (const instance of world?.instances ?? []) instance.source.close()
    world = undefined
    vi.useRealTimers()
  })

  it('every instance gets every event once, in order, whatever the tabs, the network and the listeners do', async () => {
    await fc.assert(
      fc.asyncProperty(
        config,
        fc.double({min: 0, max: 1, noNaN: true, maxExcluded: true}),
        fc.commands(commands, {maxCommands: 60, size: 'max'}),
        async (settings, random, sequence) => {
          useFakeClock()
          world = new World(settings)
          try {
            world.newTab(random)
            await world.check()
            await fc.asyncModelRun(() => ({model: {}, real: world!}), sequence)
            await world.settle()
            await world.end()
          } finally {
            for (const instance of world.instances) instance.source.close()
            vi.useRealTimers()
          }
        },
      ),
      {seed, numRuns, verbose: 1},
    )
  }, 300_000)
})
