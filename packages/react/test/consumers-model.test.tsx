/**
 * A model-based property test of one stream seen by several consumers: fast-check drives random sequences of
 * server events (three types, `error` among them, every one with an id), dropped connections, time passing (idle
 * timeouts, stalled iterators giving up, deferred closes), and consumers joining and leaving: on a Holdfast
 * `EventSource`, `onmessage`, `addEventListener`, `subscribe` and iterators (`@holdfast/client/iterate`) that keep
 * up, lag, were never started, or are ended, some of them by a listener in the middle of a dispatch; and React
 * components on `useEventSource` (a reducer or the latest message, their own types, re-rendered with others, paused,
 * started closed, `open()`, `close()`, `reconnect()`, callbacks that throw). After every step: each live consumer
 * has received exactly the server's events since it joined (of its types, while it was there), in order, once; what
 * every source or stream dispatched is a run of the server's log, caught up unless a lagging consumer holds it; the
 * components on one stream show one state. At the end, everything closed, no timer and no connection is left.
 * `HOLDFAST_MODEL_SEED` and `HOLDFAST_MODEL_RUNS` replay or widen a run, as for the connection's model; with the
 * `path` a failure prints, `HOLDFAST_MODEL_PATH` replays its shrunk sequence alone.
 */
import {act} from '@testing-library/react'
import fc from 'fast-check'
import {describe, expect, it, vi} from 'vitest'
import {liveStreamCount} from '../src/registry'
import {ModelHooks} from './model-hooks'
import {ModelServer} from './model-server'
import {ModelSource, TYPES} from './model-source'

/** Lets pending promise callbacks (fetch, reads, dispatch, renders) run, without advancing any timer. */
async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => queueMicrotask(resolve))
    await new Promise<void>((resolve) => setImmediate(resolve))
  })
}

async function advance(ms: number): Promise<void> {
  await act(async () => void (await vi.advanceTimersByTimeAsync(ms)))
}

class World {
  readonly server = new ModelServer()
  readonly source: ModelSource
  readonly hooks: ModelHooks

  constructor(readonly config: {idleTimeout: number; lastEventId: string | undefined}) {
    this.source = new ModelSource(this.server, config.idleTimeout)
    this.hooks = new ModelHooks(this.server, config)
  }

  async check(): Promise<void> {
    await settle()
    this.source.check()
    this.hooks.check()
  }
}

type Command = fc.AsyncCommand<object, World>

/** A command that is always applicable; `run` acts if the world allows it, then checks the invariants. */
function command(name: string, perform: (world: World) => void | Promise<void>): Command {
  return {
    check: () => true,
    async run(_model, world) {
      // What the command sets off (a read, a dispatch, a render) runs inside act: no microtask runs in between.
      const performed = perform(world)
      await act(async () => void (await performed))
      await world.check()
    },
    toString: () => name,
  }
}

const type = fc.constantFrom(...TYPES)
/** A consumer's types: one, two or all three. */
const types = fc.constantFrom<readonly string[]>(['message'], ['a'], ['message', 'b'], ['a', 'b'], TYPES)
const index = fc.nat(7)

const server = [
  ...Array.from({length: 4}, () => type.map((t) => command(`publish ${t}`, (w) => w.server.publish(t)))),
  fc.constant(command('drop every connection', (w) => w.server.drop())),
  ...Array.from({length: 2}, () =>
    fc
      .constantFrom(0, 100, 1000, 5000)
      .map((ms) => command(`advance ${ms} ms`, () => vi.advanceTimersByTimeAsync(ms).then(() => {}))),
  ),
]

const source = [
  fc
    .tuple(
      fc.constantFrom('onmessage', 'listener', 'subscribe') as fc.Arbitrary<'onmessage' | 'listener' | 'subscribe'>,
      types,
    )
    .map(([kind, t]) => command(`${kind} ${t.join()}`, (w) => w.source.listen(kind, t))),
  index.map((i) => command(`stop listener ${i}`, (w) => w.source.stop(i))),
  fc
    .tuple(fc.constantFrom('loop', 'lagging', 'idle') as fc.Arbitrary<'loop' | 'lagging' | 'idle'>, types)
    .map(([kind, t]) => command(`${kind} iterator ${t.join()}`, (w) => w.source.iterate(kind, t))),
  ...Array.from({length: 2}, () => index.map((i) => command(`take from iterator ${i}`, (w) => w.source.take(i)))),
  index.map((i) => command(`return() iterator ${i}`, (w) => w.source.end(i))),
  index.map((i) => command(`next() on ended iterator ${i}`, (w) => w.source.poke(i))),
  fc
    .tuple(
      fc.constantFrom('stop', 'end', 'listen', 'subscribe', 'iterate') as fc.Arbitrary<
        'stop' | 'end' | 'listen' | 'subscribe' | 'iterate'
      >,
      index,
    )
    .map(([action, i]) => command(`inside the next dispatch: ${action} ${i}`, (w) => w.source.actInside(action, i))),
]

const hooks = [
  fc
    .tuple(fc.constantFrom('reduce', 'latest') as fc.Arbitrary<'reduce' | 'latest'>, types, fc.boolean(), fc.boolean())
    .map(([mode, t, immediate, throws]) =>
      command(`mount ${mode} ${t.join()}${immediate ? '' : ' immediate: false'}${throws ? ' throwing' : ''}`, (w) =>
        w.hooks.mount(mode, t, immediate, throws),
      ),
    ),
  index.map((i) => command(`unmount ${i}`, (w) => w.hooks.unmount(i))),
  fc
    .tuple(index, types)
    .map(([i, t]) => command(`re-render ${i} with ${t.join()}`, (w) => w.hooks.update(i, {types: t}))),
  fc
    .tuple(index, fc.boolean())
    .map(([i, enabled]) => command(`re-render ${i} enabled: ${enabled}`, (w) => w.hooks.update(i, {enabled}))),
  fc
    .tuple(index, fc.constantFrom('open', 'close', 'reconnect') as fc.Arbitrary<'open' | 'close' | 'reconnect'>)
    .map(([i, control]) => command(`${control}() from ${i}`, (w) => w.hooks.control(i, control))),
]

/** The model's source closes rarely: its consumers have little left to show after it. */
const closing = fc.constant(command('close the source', (w) => w.source.close()))
const step = fc.oneof(
  {arbitrary: closing, weight: 1},
  {arbitrary: fc.oneof(...server, ...source, ...hooks), weight: 60},
)

const config = fc.record({
  idleTimeout: fc.constantFrom(3000, 45_000),
  lastEventId: fc.constantFrom(undefined, '0'),
})

const seed = Number(process.env.HOLDFAST_MODEL_SEED ?? 20261207)
const numRuns = Number(process.env.HOLDFAST_MODEL_RUNS ?? 150)

describe('one stream, several consumers, against a model', () => {
  it('every live consumer gets exactly the events since it joined, in order, once', async () => {
    const reportError = vi.fn()
    vi.stubGlobal('reportError', reportError)
    try {
      await fc.assert(
        fc.asyncProperty(config, fc.commands([step], {maxCommands: 60, size: 'max'}), async (settings, sequence) => {
          vi.useFakeTimers({
            toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
          })
          const world = new World(settings)
          // Components' callbacks that throw are reported, as throwing listeners are.
          reportError.mockImplementation((error: unknown) => void world.hooks.reported.push(error))
          try {
            await world.check()
            await fc.asyncModelRun(() => ({model: {}, real: world}), sequence)
            // Whatever happened, closing everything releases everything.
            world.hooks.unmountAll()
            world.source.close()
            await advance(1)
            await world.check()
            expect(liveStreamCount(), 'a stream left').toBe(0)
            expect(world.server.live(), 'a connection left').toEqual([])
            expect(vi.getTimerCount(), 'a timer left').toBe(0)
          } finally {
            // After a failure too: the next run starts with no stream, no timer and no listener of this one.
            world.hooks.unmountAll()
            world.source.close()
            await advance(1)
            vi.useRealTimers()
          }
        }),
        {
          seed,
          numRuns,
          verbose: 1,
          ...(process.env.HOLDFAST_MODEL_PATH ? {path: process.env.HOLDFAST_MODEL_PATH, endOnFailure: true} : {}),
        },
      )
    } finally {
      vi.unstubAllGlobals()
    }
  }, 300_000)
})
