// The client side of the capacity benchmark, in its own process (forked by capacity.mjs): raw TCP sockets that
// speak just enough HTTP/1.1 to hold an SSE stream and timestamp each broadcast as it arrives.
import {connect} from 'node:net'
import {performance} from 'node:perf_hooks'

const [url, countText, batchText] = process.argv.slice(2)
const {hostname, port, pathname} = new URL(url)
const count = Number(countText)
const batch = Number(batchText)
const request = `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`
const BROADCAST = /"i":(\d+),"t":([\d.]+)/g

const now = () => performance.timeOrigin + performance.now()
const sockets = []
/** Latencies (ms) per broadcast index; each broadcast's array fills to `count`. */
const latencies = new Map()
let heartbeats = 0
let failures = 0

function received(index, sentAt) {
  let list = latencies.get(index)
  if (!list) latencies.set(index, (list = []))
  list.push(now() - sentAt)
  if (list.length === count) process.send({type: 'received', index})
}

function open() {
  return new Promise((resolve) => {
    const socket = connect({host: hostname, port: Number(port)})
    let headers = false
    let tail = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk) => {
      let text = tail + chunk
      if (!headers) {
        const end = text.indexOf('\r\n\r\n')
        if (end === -1) {
          tail = text
          return
        }
        if (!text.startsWith('HTTP/1.1 200')) failures++
        headers = true
        resolve()
        text = text.slice(end + 4)
      }
      for (const match of text.matchAll(BROADCAST)) received(Number(match[1]), Number(match[2]))
      heartbeats += text.split(': heartbeat').length - 1
      // Keep a partial line for the next chunk (an event split across two reads).
      const lastBreak = text.lastIndexOf('\n')
      tail = lastBreak === -1 ? text : text.slice(lastBreak + 1)
    })
    socket.on('error', () => {
      failures++
      resolve()
    })
    sockets.push(socket)
    socket.write(request)
  })
}

const started = now()
for (let opened = 0; opened < count; opened += batch) {
  await Promise.all(Array.from({length: Math.min(batch, count - opened)}, open))
}
process.send({type: 'connected', ms: now() - started, failures})

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

process.on('message', (message) => {
  if (message.type !== 'report') return
  const all = [...latencies.values()].flat().sort((a, b) => a - b)
  const perBroadcast = [...latencies.entries()].map(([index, list]) => {
    const sorted = [...list].sort((a, b) => a - b)
    return {index, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1)}
  })
  process.send({
    type: 'report',
    deliveries: all.length,
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    max: all.at(-1),
    perBroadcast,
    heartbeats,
    failures,
  })
  for (const socket of sockets) socket.destroy()
  process.disconnect()
})
