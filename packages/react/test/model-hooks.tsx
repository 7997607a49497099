/**
 * The React side of the consumers' model: components using `useEventSource` on one stream (one `key`), with a
 * reducer (every message) or the latest message, their own `types`, `enabled`, `immediate`, callbacks that may
 * throw, and the controls. The hook's `create` records each source it makes under the stream (`SharedStream`) it
 * makes it for, with an oracle subscribed first: a stream's "epoch" is every message its successive sources
 * dispatched. Each component's attached periods (joined, left, types changed) say what it must have received.
 */
import {EventSource, type StreamMessage} from '@holdfast/client'
import {act, render, type RenderResult} from '@testing-library/react'
import {useLayoutEffect} from 'react'
import {expect} from 'vitest'
import {useEventSource, type EventSourceResult, type ParsedMessage, type UseEventSourceOptions} from '../src/index'
import {peekStream} from '../src/registry'
import type {ModelServer} from './model-server'
import {checkOracle, STILL, STREAM_URL} from './model-source'

const KEY = 'model'

export interface HookSpec {
  readonly id: number
  readonly mode: 'reduce' | 'latest'
  readonly types: readonly string[]
  readonly enabled: boolean
  readonly immediate: boolean
  readonly throws: boolean
}

/** Every message the sources of one stream dispatched, and where its first source started. */
interface Epoch {
  readonly oracle: StreamMessage[]
  readonly startId: string
}

/** A span of a component's life on one stream with one set of types: it receives the epoch's messages of it. */
interface Period {
  readonly epoch: Epoch
  readonly start: number
  end?: number
  readonly types: readonly string[]
}

interface Tracked {
  spec: HookSpec
  opened: boolean
  readonly periods: Period[]
  /** The last id its stream saw when it left: where a stream it opens again resumes. */
  resumeId?: string
}

type Result = EventSourceResult<unknown>

const bug = (): never => {
  throw new Error('a component bug')
}

export class ModelHooks {
  readonly epochs = new Map<object, Epoch>()
  readonly results = new Map<number, Result>()
  readonly tracked = new Map<number, Tracked>()
  readonly reported: unknown[] = []
  #view: RenderResult | undefined
  #nextId = 1

  constructor(
    readonly server: ModelServer,
    readonly config: {idleTimeout: number; lastEventId: string | undefined},
  ) {}

  readonly create = (url: string, init: ConstructorParameters<typeof EventSource>[1]): EventSource => {
    const stream = peekStream(KEY)!
    let epoch = this.epochs.get(stream)
    if (!epoch) this.epochs.set(stream, (epoch = {oracle: [], startId: init?.lastEventId ?? ''}))
    const source = new EventSource(url, {...init, fetch: this.server.fetchFor(epoch)})
    const {oracle} = epoch
    source.subscribe((message) => void oracle.push(message))
    return source
  }

  options(spec: HookSpec): Omit<UseEventSourceOptions<string>, 'initialData'> {
    const {types, enabled, immediate, throws} = spec
    const {idleTimeout, lastEventId} = this.config
    const callbacks = throws ? {onMessage: bug, onOpen: bug, onError: bug, onReconnecting: bug} : {}
    const source = {environment: STILL, jitter: 0, retryDelay: 100, idleTimeout, lastEventId}
    return {key: KEY, create: this.create, ...source, types, enabled, immediate, ...callbacks}
  }

  get #specs(): HookSpec[] {
    return [...this.tracked.values()].map((t) => t.spec)
  }

  #pick(index: number): Tracked | undefined {
    const all = [...this.tracked.values()]
    return all[index % Math.max(all.length, 1)]
  }

  /** Renders the current specs, then records who joined or left which stream, in that commit. */
  #commit(change: () => void): void {
    const before = new Map([...this.tracked].map(([id, t]) => [id, this.#attached(t)]))
    const streamBefore = peekStream(KEY)
    change()
    act(() => {
      const app = <App specs={this.#specs} hooks={this} />
      if (this.#view) this.#view.rerender(app)
      else this.#view = render(app)
    })
    for (const [id, t] of this.tracked) {
      const was = before.get(id) ?? false
      const is = this.#attached(t)
      const current = t.periods.at(-1)
      if (was && (!is || current!.types !== t.spec.types)) this.#leave(t, current!)
      if (is && (!was || current!.types !== t.spec.types)) {
        const epoch = this.epochs.get(peekStream(KEY)!)!
        if (!was && peekStream(KEY) !== streamBefore)
          // It opened the stream: from the last id its earlier stream saw, else from the option.
          expect(epoch.startId, `component ${id} opened its stream from`).toBe(
            t.resumeId ?? this.config.lastEventId ?? '',
          )
        t.periods.push({epoch, start: epoch.oracle.length, types: t.spec.types})
      }
    }
  }

  #leave(t: Tracked, period: Period): void {
    const {oracle, startId} = period.epoch
    period.end = oracle.length
    t.resumeId = oracle.at(-1)?.lastEventId ?? startId
  }

  #attached(t: Tracked): boolean {
    return t.spec.enabled && t.opened
  }

  mount(mode: HookSpec['mode'], types: readonly string[], immediate: boolean, throws: boolean): void {
    const spec: HookSpec = {id: this.#nextId++, mode, types, enabled: true, immediate, throws}
    this.#commit(() => this.tracked.set(spec.id, {spec, opened: immediate, periods: []}))
  }

  unmount(index: number): void {
    const t = this.#pick(index)
    if (!t) return
    this.#commit(() => {
      if (this.#attached(t)) this.#leave(t, t.periods.at(-1)!)
      this.tracked.delete(t.spec.id)
    })
  }

  update(index: number, change: Partial<Pick<HookSpec, 'types' | 'enabled'>>): void {
    const t = this.#pick(index)
    if (t) this.#commit(() => (t.spec = {...t.spec, ...change}))
  }

  control(index: number, control: 'open' | 'close' | 'reconnect'): void {
    const t = this.#pick(index)
    const result = t && this.results.get(t.spec.id)
    if (!t || !result) return
    this.#commit(() => {
      if (control === 'open') t.opened = true
      act(() => result[control]())
    })
  }

  unmountAll(): void {
    for (const t of this.tracked.values()) if (this.#attached(t)) this.#leave(t, t.periods.at(-1)!)
    this.tracked.clear()
    act(() => this.#view?.unmount())
    this.#view = undefined
  }

  /** The invariants of every stream and every component between two steps. */
  check(): void {
    expect(this.reported.filter((error) => (error as Error).message !== 'a component bug')).toEqual([])
    const current = peekStream(KEY)
    for (const [stream, epoch] of this.epochs) {
      const live = this.server.live(epoch)
      if (stream !== current) expect(live, 'a connection left by a stream that is gone').toEqual([])
      expect(live.length).toBeLessThanOrEqual(1)
      checkOracle(epoch.oracle, this.server.requests(epoch), this.server.log.length, live.length === 1)
    }
    const statuses = new Set<string>()
    for (const [id, t] of this.tracked) {
      const result = this.results.get(id)!
      const what = `component ${id} (${t.spec.mode} ${t.spec.types.join()})`
      if (!this.#attached(t)) expect([result.status, result.readyState], what).toEqual(['idle', 2])
      else statuses.add(`${result.status} ${result.readyState} ${result.error?.code}`)
      const received = t.periods.flatMap(({epoch, start, end, types}) =>
        epoch.oracle.slice(start, end).filter((message) => types.includes(message.type)),
      )
      if (t.spec.mode === 'reduce') expect(result.data, what).toEqual(received.map((message) => message.data))
      const period = t.periods.at(-1)
      if (t.spec.mode === 'latest' && this.#attached(t) && period) {
        // The stream's latest message of its types, once one arrived since this period began (no tearing).
        const since = period.epoch.oracle.slice(period.start).filter((m) => period.types.includes(m.type))
        if (since.length > 0) expect(result.message, what).toEqual(since.at(-1))
      }
    }
    // One stream, one state: every attached component shows the same (no tearing); open while it is connected.
    expect(statuses.size, [...statuses].join(' / ')).toBeLessThanOrEqual(1)
    const epoch = current && this.epochs.get(current)
    if (epoch && this.server.live(epoch).length > 0 && statuses.size > 0)
      expect([...statuses], 'the status of a connected stream').toEqual(['open 1 undefined'])
  }
}

function App({specs, hooks}: {specs: HookSpec[]; hooks: ModelHooks}) {
  return specs.map((spec) =>
    spec.mode === 'reduce' ? (
      <Reducing key={spec.id} spec={spec} hooks={hooks} />
    ) : (
      <Latest key={spec.id} spec={spec} hooks={hooks} />
    ),
  )
}

function useRecord(hooks: ModelHooks, id: number, result: Result): void {
  useLayoutEffect(() => void hooks.results.set(id, result))
  useLayoutEffect(() => () => void hooks.results.delete(id), [hooks, id])
}

const reducer = (seen: string[], message: ParsedMessage<string>): string[] => [...seen, message.data]

function Reducing({spec, hooks}: {spec: HookSpec; hooks: ModelHooks}) {
  const result = useEventSource(STREAM_URL, {...hooks.options(spec), reducer, initial: [] as string[]})
  useRecord(hooks, spec.id, result)
  return null
}

function Latest({spec, hooks}: {spec: HookSpec; hooks: ModelHooks}) {
  useRecord(hooks, spec.id, useEventSource(STREAM_URL, hooks.options(spec)))
  return null
}
