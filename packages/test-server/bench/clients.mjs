// The client side of the capacity benchmark, in its own process (forked by capacity.mjs): raw TCP sockets that
// speak just enough HTTP/1.1 to hold an SSE stream and timestamp each broadcast as it arrives. The read path works on
// Buffers with native searches, so that the clients measure the server rather than their own parsing.
import {connect} from 'node:net'
import {performance} from 'node:perf_hooks'
import {summarize} from './latency.mjs'

// The first argument is one stream URL, or several separated by commas (the servers of a fleet): connections go to
// them in turn.
const [urlList, countText, batchText, stagesText = '1'] = process.argv.slice(2)
const targets = urlList.split(',').map((url) => {
  const {hostname, port, pathname} = new URL(url)
  const request = `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`
  return {hostname, port: Number(port), request}
})
const count = Number(countText)
const batch = Number(batchText)
/** Connect in this many equal stages, reporting after each and waiting for `continue` before the next. */
const stages = Number(stagesText)
// Broadcasts carry `{"i":<index>,"t":<epoch ms>}`.
const MARKER = Buffer.from('{"i":')
const HEAD_END = Buffer.from('\r\n\r\n')
const NEWLINE = 0x0a

const now = () => performance.timeOrigin + performance.now()
const sockets = []
/** Latencies (ms) per broadcast index; each broadcast's array fills to `count`. */
const latencies = new Map()
let failures = 0
/** Why connections failed, by error code (or status line), for the report. */
const failureReasons = {}
const failed = (reason) => {
  failures++
  failureReasons[reason] = (failureReasons[reason] ?? 0) + 1
}
/** A broadcast is complete once every connection that did not fail has it. */
const expected = () => count - failures

function received(index, sentAt, at) {
  let list = latencies.get(index)
  if (!list) latencies.set(index, (list = []))
  list.push(at - sentAt)
  if (list.length === expected()) process.send({type: 'received', index})
}

/** Reads every broadcast in `buffer` (complete lines only); returns where the unread rest starts. */
function scan(buffer) {
  const at = now()
  const end = buffer.lastIndexOf(NEWLINE) + 1
  let marker = buffer.indexOf(MARKER)
  while (marker !== -1 && marker < end) {
    const comma = buffer.indexOf(0x2c, marker)
    const close = buffer.indexOf(0x7d, comma)
    const index = Number(buffer.latin1Slice(marker + MARKER.length, comma))
    const sentAt = Number(buffer.latin1Slice(comma + 5, close))
    received(index, sentAt, at)
    marker = buffer.indexOf(MARKER, close)
  }
  return end
}

function open(_, index) {
  const {hostname, port, request} = targets[(opened + index) % targets.length]
  return new Promise((resolve) => {
    const socket = connect({host: hostname, port, noDelay: true})
    let headers = false
    let tail
    socket.on('data', (chunk) => {
      let buffer = tail ? Buffer.concat([tail, chunk]) : chunk
      tail = undefined
      if (!headers) {
        const end = buffer.indexOf(HEAD_END)
        if (end === -1) {
          tail = buffer
          return
        }
        if (buffer.latin1Slice(0, 12) !== 'HTTP/1.1 200') failed(buffer.latin1Slice(0, 12))
        headers = true
        resolve()
        buffer = buffer.subarray(end + HEAD_END.length)
      }
      const rest = scan(buffer)
      // Keep a partial line (an event split across two reads) for the next chunk.
      if (rest < buffer.length) tail = Buffer.from(buffer.subarray(rest))
    })
    socket.on('error', (error) => {
      failed(error.code ?? error.message)
      resolve()
    })
    sockets.push(socket)
    socket.write(request)
  })
}

// If the benchmark dies (its --timeout), so does this process.
let reported = false
process.on('disconnect', () => reported || process.exit())
let opened = 0
for (let stage = 1; stage <= stages; stage++) {
  const started = now()
  const target = Math.round((count * stage) / stages)
  while (opened < target) {
    const size = Math.min(batch, target - opened)
    await Promise.all(Array.from({length: size}, open))
    opened += size
  }
  process.send({type: 'connected', stage, opened, ms: now() - started, failures, failureReasons})
  if (stage < stages) await new Promise((resolve) => process.once('message', resolve))
}

process.on('message', (message) => {
  if (message.type !== 'report') return
  process.send(
    {
      type: 'report',
      ...summarize([...latencies.entries()]),
      // Every latency, for a benchmark that merges several client processes (a fleet).
      ...(message.raw ? {latencies: [...latencies.entries()]} : {}),
      failures,
      failureReasons,
    },
    () => {
      // Only once the report is written: it can be large (every latency).
      reported = true
      for (const socket of sockets) socket.destroy()
      process.disconnect()
    },
  )
})
