// The demo's public listener: a transparent HTTP proxy in front of the test server that can really go away.
//
// "Restart the server" must be a real outage (every socket dies, new connections are refused) after which Holdfast
// resumes with Last-Event-ID. Restarting the test server itself would lose its replay log and start ids at 1
// again, so the event log stays in the test server behind this listener (as a broker stays behind your app
// servers) and the listener is what restarts, on the same port.
import {Agent, createServer, request} from 'node:http'

/** Response headers that belong to one hop and are never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade'])

/**
 * @typedef {object} Front
 * @property {number} port the port listened on (the same after a restart)
 * @property {boolean} listening false while restarting
 * @property {(downMs: number) => Promise<void>} restart closes every socket and the listener, and listens again
 *   on the same port after `downMs`; resolves once it listens (or the front was closed meanwhile)
 * @property {(graceMs?: number) => Promise<void>} close stops listening for good, lets the answers under way
 *   finish for up to `graceMs` (a stream ends when its server ends it), then destroys every socket left
 */

/**
 * @param {import('node:http').Server} server
 * @param {number} port
 * @param {string} host
 * @returns {Promise<number>} the port bound
 */
function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({port, host}, () => {
      server.off('error', reject)
      const address = server.address()
      resolve(typeof address === 'object' && address !== null ? address.port : port)
    })
  })
}

/** @param {import('node:http').Server} server @returns {Promise<void>} */
function stopListening(server) {
  return new Promise((resolve) => {
    if (!server.listening) return resolve()
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

/**
 * Forwards one request to the upstream server and streams the answer back byte for byte. Whatever breaks one side
 * breaks the other the same way: an upstream socket reset or destroyed (a drop or refuse fault) destroys the
 * browser's socket, so the browser sees the network error the fault meant; a browser that goes away closes the
 * upstream request, so the test server sees its client leave.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {{host: string, port: number, agent: Agent, active: Set<import('node:http').ServerResponse>}} upstream
 */
function forward(req, res, {host, port, agent, active}) {
  active.add(res)
  const outgoing = request({host, port, agent, method: req.method, path: req.url, headers: req.headers})
  outgoing.on('response', (answer) => {
    const headers = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !HOP_BY_HOP.has(name)))
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers)
    res.flushHeaders()
    answer.pipe(res)
    answer.on('close', () => {
      if (!answer.complete) res.destroy()
    })
  })
  outgoing.on('error', () => res.destroy())
  res.on('close', () => {
    active.delete(res)
    if (!res.writableFinished) outgoing.destroy()
  })
  req.pipe(outgoing)
}

/**
 * Starts the front on `port` (0 for any free one), forwarding every request that `handle` does not answer (it
 * returns true when it did) to the upstream server.
 * @param {{port: number, host: string, upstream: {host: string, port: number},
 *   handle?: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => boolean}} options
 * @returns {Promise<Front>}
 */
export async function startFront({port, host, upstream, handle = () => false}) {
  const agent = new Agent({keepAlive: true})
  /** Forwarded answers still being written. @type {Set<import('node:http').ServerResponse>} */
  const active = new Set()
  const server = createServer({noDelay: true}, (req, res) => {
    if (!handle(req, res)) forward(req, res, {...upstream, agent, active})
  })
  // A quiet stream is not a dead one: no idle timeout on sockets.
  server.timeout = 0
  const bound = await listen(server, port, host)
  /** @type {{timer: ReturnType<typeof setTimeout>, done: () => void} | undefined} */
  let down
  /** @type {Promise<void> | undefined} */
  let restarting
  let closed = false

  /** @param {number} downMs */
  async function restart(downMs) {
    await stopListening(server)
    // The upstream requests of the streams just cut close with them: the test server sees its clients leave.
    await new Promise((resolve) => {
      down = {timer: setTimeout(resolve, downMs), done: () => resolve(undefined)}
    })
    down = undefined
    if (!closed) await listen(server, bound, host)
  }

  return {
    port: bound,
    get listening() {
      return server.listening
    },
    restart(downMs) {
      if (closed) return Promise.resolve()
      restarting ??= restart(downMs).finally(() => {
        restarting = undefined
      })
      return restarting
    },
    async close(graceMs = 0) {
      closed = true
      if (down) {
        clearTimeout(down.timer)
        down.done()
      }
      const stopped = new Promise((resolve) => server.close(resolve))
      server.closeIdleConnections()
      await new Promise((resolve) => {
        const deadline = setTimeout(resolve, graceMs)
        const check = () => {
          if (active.size > 0) return
          clearTimeout(deadline)
          resolve(undefined)
        }
        for (const res of active) res.once('close', check)
        check()
      })
      server.closeAllConnections()
      agent.destroy()
      await stopped
    },
  }
}
