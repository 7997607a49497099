// `pnpm --filter @holdfast/bench hotpath`: the JavaScript cost of the per-chunk and per-event path, measured in Node
// with no network and no browser, where the Chromium bench's small-events rounds swing by a third.
//
//   node hotpath.mjs [--rounds 15] [--events 200000] [--only holdfast-subscribe,eventsource-client] [--no-build]
//
// Every sample is a fresh Node process (a fresh JIT, like the bench's fresh page) that consumes a warm-up stream of a
// tenth of the events, then the measured one: 64 KiB chunks of the small-events payload, handed to each client by
// an injected `fetch` whose body is a pull-based ReadableStream. The order of the implementations rotates every
// round, and each round's ratios are taken to the parser-only baseline (fetch + eventsource-parser 4.x, nothing
// else: the floor for any client built on that parser). The client is built first (as `pnpm bench` does) unless
// --no-build, and loaded from its dist/.
import {spawnSync} from 'node:child_process'
import {cpus} from 'node:os'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {smallEvent} from './lib/payloads.mjs'

const CHUNK_BYTES = 64 * 1024

const STREAM_URL = 'http://bench.invalid/sse'

/**
 * Opens a client with `open(onData)`, counts the events it hands to `onData`, closes it at the `count`th and
 * resolves with the total length of the data it received (checked, like every bench page checks what it parsed).
 */
function collect(count, open) {
  return new Promise((resolve) => {
    let received = 0
    let chars = 0
    const source = open((data) => {
      chars += data.length
      if (++received === count) {
        source.close()
        resolve(chars)
      }
    })
  })
}

/** What each sample runs: `consume(fetch, count)` reads `count` events and resolves with their data length. */
const implementations = {
  parser: {
    title: 'fetch + eventsource-parser 4.x (the floor)',
    async load() {
      const {createParser} = await import('eventsource-parser')
      return async (fetch, count) => {
        let received = 0
        let chars = 0
        const parser = createParser({
          onEvent: (event) => {
            received++
            chars += event.data.length
          },
        })
        const reader = (await fetch()).body.getReader()
        const decoder = new TextDecoder()
        while (received < count) {
          const {done, value} = await reader.read()
          if (done) break
          parser.feed(decoder.decode(value, {stream: true}))
        }
        await reader.cancel()
        return chars
      }
    },
  },
  'holdfast-subscribe': {
    title: 'Holdfast `source.subscribe(callback)`',
    async load() {
      const {EventSource} = await import('@holdfast/client')
      return (fetch, count) =>
        collect(count, (onData) => {
          const source = new EventSource(STREAM_URL, {fetch, networkAware: false})
          source.subscribe((message) => onData(message.data))
          return source
        })
    },
  },
  holdfast: {
    title: 'Holdfast `EventSource` (`onmessage`)',
    async load() {
      const {EventSource} = await import('@holdfast/client')
      return (fetch, count) =>
        collect(count, (onData) => {
          const source = new EventSource(STREAM_URL, {fetch, networkAware: false})
          source.onmessage = (event) => onData(event.data)
          return source
        })
    },
  },
  'eventsource-client': {
    title: '`eventsource-client` (`onMessage`)',
    async load() {
      const {createEventSource} = await import('eventsource-client')
      return (fetch, count) =>
        collect(count, (onData) =>
          createEventSource({url: STREAM_URL, fetch, onMessage: (message) => onData(message.data)}),
        )
    },
  },
}

/** The first `count` small events, cut into 64 KiB chunks, and the total length of their data. */
function streamOf(count) {
  const events = Array.from({length: count}, (_, i) => smallEvent(i))
  const bytes = Buffer.from(events.join(''))
  const chunks = []
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES)
    chunks.push(new Uint8Array(bytes.subarray(at, at + CHUNK_BYTES)))
  const dataChars = events.reduce((sum, event, i) => sum + event.length - `id: ${i}\ndata: \n\n`.length, 0)
  return {chunks, dataChars}
}

/** A `fetch` that answers every request with `chunks`, one per `read()`. */
function fetchOf(chunks) {
  return async () => {
    let next = 0
    const body = new ReadableStream(
      {
        pull(controller) {
          if (next < chunks.length) controller.enqueue(chunks[next++])
          else controller.close()
        },
      },
      {highWaterMark: 0},
    )
    return new Response(body, {status: 200, headers: {'content-type': 'text/event-stream'}})
  }
}

/** One sample, in this (fresh) process: prints the measured milliseconds. */
async function sample(id, events) {
  const consume = await implementations[id].load()
  const warmup = streamOf(Math.ceil(events / 10))
  const measured = streamOf(events)
  const check = (stream, chars) => {
    if (chars !== stream.dataChars)
      throw new Error(`hotpath: ${id} received ${chars} characters of data, not ${stream.dataChars}`)
  }
  check(warmup, await consume(fetchOf(warmup.chunks), Math.ceil(events / 10)))
  const start = performance.now()
  const chars = await consume(fetchOf(measured.chunks), events)
  const ms = performance.now() - start
  check(measured, chars)
  process.stdout.write(`${ms}\n`)
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const range = (values) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`

function main({rounds, events, only}) {
  // The floor is always measured: every ratio is taken to it.
  const ids = Object.keys(implementations).filter((id) => id === 'parser' || !only || only.split(',').includes(id))
  const times = Object.fromEntries(ids.map((id) => [id, []]))
  const script = fileURLToPath(import.meta.url)
  for (let round = 0; round < rounds; round++) {
    const order = ids.map((_, i) => ids[(i + round) % ids.length])
    for (const id of order) {
      const child = spawnSync(process.execPath, [script, '--sample', id, '--events', String(events)], {
        encoding: 'utf8',
        timeout: 60_000,
      })
      if (child.status !== 0)
        throw new Error(`hotpath: ${id} failed (${child.error ?? child.signal ?? child.status})\n${child.stderr}`)
      times[id].push(Number(child.stdout))
    }
    process.stderr.write(
      `round ${round + 1}/${rounds}: ${order.map((id) => `${id} ${times[id].at(-1).toFixed(1)} ms`).join(' · ')}\n`,
    )
  }
  const rows = ids.map((id) => {
    // Time of the floor over time of the implementation, per round: the share of the floor's speed it reaches.
    const ratios = times[id].map((ms, round) => times.parser[round] / ms)
    const ms = median(times[id])
    const rate = `${(((events / ms) * 1000) / 1e6).toFixed(2)} M`
    return `| ${implementations[id].title} | ${ms.toFixed(1)} (${range(times[id])}) | ${rate} | ${median(ratios).toFixed(2)}× (${range(ratios)}) |`
  })
  const versus =
    ids.includes('holdfast-subscribe') && ids.includes('eventsource-client')
      ? times['holdfast-subscribe'].map((ms, round) => times['eventsource-client'][round] / ms)
      : undefined
  process.stdout.write(
    [
      `${new Date().toISOString().slice(0, 10)} · ${cpus()[0]?.model.split(' ').slice(0, 2).join(' ')}, ${cpus().length} cores · Node ${process.version} · ${rounds} rounds of ${events} events · \`node hotpath.mjs --rounds ${rounds} --events ${events}\``,
      '',
      '| implementation | ms (min–max) | events/s | speed vs the floor (min–max) |',
      '| --- | --- | --- | --- |',
      ...rows,
      '',
      ...(versus
        ? [
            `Holdfast \`subscribe\` vs \`eventsource-client\`: ${median(versus).toFixed(2)}× (rounds ${range(versus)})`,
            '',
          ]
        : []),
    ].join('\n'),
  )
}

const {values: args} = parseArgs({
  args: process.argv.slice(2).filter((arg, index) => index > 0 || arg !== '--'),
  options: {
    rounds: {type: 'string', default: '15'},
    events: {type: 'string', default: '200000'},
    only: {type: 'string'},
    'no-build': {type: 'boolean', default: false},
    sample: {type: 'string'},
  },
})
const events = Number(args.events)
const rounds = Number(args.rounds)
if (!Number.isInteger(events) || events < 10 || !Number.isInteger(rounds) || rounds < 1)
  throw new Error('hotpath: --events must be an integer of at least 10 and --rounds a positive integer')
const unknown = [args.sample, ...(args.only?.split(',') ?? [])].filter((id) => id && !(id in implementations))
if (unknown.length)
  throw new Error(`hotpath: unknown implementation ${unknown.join(', ')}; known: ${Object.keys(implementations)}`)
if (args.sample) {
  await sample(args.sample, events)
} else {
  if (!args['no-build']) {
    const build = spawnSync('pnpm', ['--filter', '@holdfast/client', 'run', 'build'], {encoding: 'utf8'})
    if (build.status !== 0) throw new Error(`hotpath: the client build failed:\n${build.stdout}${build.stderr}`)
  }
  main({rounds, events, only: args.only})
}
