// The one local server of a bench run: the pages, the bundles, the pre-built streams, and the endpoint where each
// page posts its result (and learns which page comes next). Chromium is pointed at the first page of a round and
// walks through the rest by itself, with no DevTools client attached.
import {createServer} from 'node:http'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const PAGE = fileURLToPath(new URL('../page/', import.meta.url))
const pageScripts = {
  'runner.js': readFileSync(`${PAGE}runner.js`, 'utf8'),
  'fragment-fetch.js': readFileSync(`${PAGE}fragment-fetch.js`, 'utf8'),
}

/** Cross-origin isolation gives the page 5 µs timers (for latency) and an honest `performance.memory`. */
const ISOLATED = {'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp'}
const SSE = {'content-type': 'text/event-stream', 'cache-control': 'no-store'}

/** Milliseconds since the epoch with microseconds, from the same clocks a page's `timeOrigin + now()` reads. */
const epochNow = () => performance.timeOrigin + performance.now()

export function startServer({payloads, bundles}) {
  /** round -> jobs; a job is {impl, workload, page, result?}. */
  const rounds = new Map()
  const waiters = new Map()
  /** Results that arrived before anyone asked for them. */
  const early = new Map()
  let reconnectId = 0

  function pageHtml(round, index) {
    const job = rounds.get(round)?.[index]
    if (!job) return undefined
    const config = {round, index, impl: job.impl, workload: job.workload, ...job.page}
    return `<!doctype html><meta charset="utf-8"><title>${job.impl} · ${job.workload}</title>
<script>window.JOB = ${JSON.stringify(config)}</script>
${job.page.fragment ? '<script src="/page/fragment-fetch.js"></script>' : ''}
<script src="/bundle/${job.impl}.js"></script>
<script src="/page/runner.js"></script>
`
  }

  function stream(res, url) {
    const n = Number(url.searchParams.get('n'))
    switch (url.pathname) {
      case '/sse/small':
      case '/sse/large': {
        const payload = payloads[url.pathname.slice(5)]
        res.writeHead(200, SSE)
        return res.end(payload.prefix(Math.min(n, payload.count)).bytes)
      }
      case '/sse/latency': {
        // One event every `interval` ms carrying the server's clock when it was written, after `warm` events one
        // millisecond apart: the same shape (one event per write), so that the client's hot path is compiled for it.
        const interval = Number(url.searchParams.get('interval'))
        const warm = Number(url.searchParams.get('warm'))
        res.writeHead(200, SSE)
        res.socket.setNoDelay(true)
        let sent = 0
        const tick = () => {
          if (res.destroyed) return
          const t = epochNow().toFixed(3)
          res.write(`id: ${sent}\ndata: {"t":${t},"seq":${sent},"pad":"${'x'.repeat(16)}"}\n\n`)
          if (++sent === warm + n) return res.end()
          timer = setTimeout(tick, sent < warm ? 1 : interval)
        }
        let timer = setTimeout(tick, interval)
        res.on('close', () => clearTimeout(timer))
        return
      }
      case '/sse/reconnect':
        // [spec] retry: 0 asks for an immediate reconnect; the response then ends after one event.
        res.writeHead(200, SSE)
        return res.end(`retry: 0\nid: ${++reconnectId}\ndata: ${reconnectId}\n\n`)
      case '/sse/cycle':
        // One event, then the stream stays open until the client closes it.
        res.writeHead(200, SSE)
        res.write(`retry: 1000\ndata: ${'x'.repeat(64)}\n\n`)
        return
      default:
        res.writeHead(404).end()
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost')
    const [, section, a, b] = url.pathname.split('/')
    if (section === 'sse') return stream(res, url)
    if (section === 'job') {
      const html = pageHtml(Number(a), Number(b))
      if (!html) return res.writeHead(404).end()
      return res.writeHead(200, {'content-type': 'text/html; charset=utf-8', ...ISOLATED}).end(html)
    }
    if (section === 'bundle' && bundles.has(a.replace(/\.js$/, ''))) {
      return res.writeHead(200, {'content-type': 'text/javascript'}).end(bundles.get(a.replace(/\.js$/, '')))
    }
    if (section === 'page' && pageScripts[a]) {
      return res.writeHead(200, {'content-type': 'text/javascript'}).end(pageScripts[a])
    }
    if (section === 'result' && req.method === 'POST') {
      let body = ''
      req.setEncoding('utf8')
      req.on('data', (chunk) => (body += chunk))
      req.on('end', () => {
        const round = Number(a)
        const index = Number(b)
        const jobs = rounds.get(round)
        const next = jobs && index + 1 < jobs.length ? `/job/${round}/${index + 1}` : null
        res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({next}))
        const key = `${round}/${index}`
        const waiter = waiters.get(key)
        if (waiter) waiter(JSON.parse(body))
        else early.set(key, JSON.parse(body))
      })
      return
    }
    res.writeHead(404).end()
  })

  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const origin = `http://127.0.0.1:${server.address().port}`
      resolve({
        origin,
        /** Registers a round's jobs; its first page is `${origin}/job/${round}/0`. */
        setRound(round, jobs) {
          rounds.set(round, jobs)
        },
        /** Resolves with the result the page posts for job `index` of `round`, or `undefined` after `timeoutMs`. */
        result(round, index, timeoutMs) {
          return new Promise((done) => {
            const key = `${round}/${index}`
            if (early.has(key)) {
              done(early.get(key))
              return early.delete(key)
            }
            const timer = setTimeout(() => {
              waiters.delete(key)
              done(undefined)
            }, timeoutMs)
            waiters.set(key, (result) => {
              clearTimeout(timer)
              waiters.delete(key)
              done(result)
            })
          })
        },
        close: () =>
          new Promise((done) => {
            server.closeAllConnections()
            server.close(() => done())
          }),
      })
    })
  })
}
