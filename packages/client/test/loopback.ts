// Real HTTP servers on 127.0.0.1 for tests that need the platform's own fetch (its redirects, its header rules),
// which msw only emulates. Each server records every request it receives.
import {createServer, type IncomingHttpHeaders, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

/** One request as the server received it. */
export interface Hit {
  /** `origin + path`, without the query. */
  url: string
  method: string
  headers: IncomingHttpHeaders
  body: string
}

/**
 * How a route answers its `n`-th request (1, 2…): a status (with `Location` for a redirect), or an event stream that
 * sends one event, whose id is the route's name and `n` (`final-2` for the second request to `/final`), and then
 * ends, or stays open.
 */
export type Answer = {status: number; location?: string} | {stream: 'end' | 'open'}

export interface Loopback {
  readonly origin: string
  /** Every request so far, in arrival order (shared with the other servers started with the same list). */
  readonly hits: Hit[]
  /** Answers requests to `path` (any method, any query). */
  route(path: string, answer: (n: number) => Answer): void
  close(): Promise<void>
}

function answer(res: ServerResponse, id: string, how: Answer): void {
  if ('status' in how) {
    res.writeHead(how.status, how.location === undefined ? {} : {location: how.location}).end()
    return
  }
  res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-store'})
  res.write(`id: ${id}\ndata: ${id}\n\n`)
  if (how.stream === 'end') res.end()
}

/** Starts a server on 127.0.0.1 and a free port, recording into `hits`; unrouted paths answer 404. */
export async function startLoopback(hits: Hit[] = []): Promise<Loopback> {
  const routes = new Map<string, {answer: (n: number) => Answer; count: number}>()
  const open = new Set<ServerResponse>()
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname
    let body = ''
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
    req.on('end', () => {
      hits.push({url: `${origin}${path}`, method: req.method!, headers: req.headers, body})
      const route = routes.get(path)
      if (!route) return void res.writeHead(404).end()
      open.add(res)
      res.on('close', () => open.delete(res))
      answer(res, `${path.slice(1)}-${++route.count}`, route.answer(route.count))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    hits,
    route(path, answer) {
      routes.set(path, {answer, count: 0})
    },
    async close() {
      for (const res of open) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
