// Starts everything the demo page talks to: the test server with a ticking channel, behind a restartable front.
import {createTestServer} from '@holdfast/test-server'
import {fileURLToPath} from 'node:url'
import {join} from 'node:path'
import {DEFAULT_PORT} from './args.mjs'
import {packageDir} from './build.mjs'
import {startFront} from './front.mjs'

/** What the page is told about the server (`GET /demo/config`). */
export const DEMO_CONFIG = Object.freeze({
  /** The live channel: one event every `tickMs`, ids 1, 2, 3… */
  channel: 'live',
  tickMs: 250,
  /** A comment line on every stream at this interval, so that a quiet stream is never a dead one. */
  heartbeatMs: 1000,
  /** The `retry:` hint the server sends when a stream opens: the native EventSource's reconnection time. */
  retryMs: 1000,
  /** How long "Restart the server" keeps the port closed. */
  restartMs: 3000,
})

const PAGE = fileURLToPath(new URL('../public', import.meta.url))

/**
 * @typedef {object} Demo
 * @property {string} url the page's URL
 * @property {number} port
 * @property {number | undefined} busyPort the default port, when it was busy and another one was taken
 * @property {import('@holdfast/test-server').TestServer} testServer the server behind the front
 * @property {import('./front.mjs').Front} front the public listener
 * @property {() => Promise<void>} close stops both; streams get the shutdown event first
 */

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 */
function sendJson(res, status, body) {
  res.writeHead(status, {'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store'})
  res.end(JSON.stringify(body))
}

/** @param {unknown} error */
function isAddressInUse(error) {
  return error instanceof Error && /** @type {NodeJS.ErrnoException} */ (error).code === 'EADDRINUSE'
}

/**
 * Starts the demo. On the default port, a busy port falls back to a free one; a port that was asked for (`portGiven`)
 * must be free.
 * @param {{port?: number, portGiven?: boolean, host?: string, restartMs?: number}} [options]
 * @returns {Promise<Demo>}
 */
export async function startDemo({port = DEFAULT_PORT, portGiven = false, host = '127.0.0.1', restartMs} = {}) {
  const config = {...DEMO_CONFIG, restartMs: restartMs ?? DEMO_CONFIG.restartMs}
  const testServer = await createTestServer({
    heartbeatMs: config.heartbeatMs,
    retryMs: config.retryMs,
    ticker: {channel: config.channel, intervalMs: config.tickMs},
    static: {'/': PAGE, '/client': join(packageDir('@holdfast/client'), 'dist')},
    shutdownTimeoutMs: 1000,
  })
  /** @type {import('./front.mjs').Front | undefined} */
  let front

  /** @type {Parameters<typeof startFront>[0]['handle']} */
  const handle = (req, res) => {
    const path = new URL(req.url ?? '/', 'http://demo').pathname
    if (path === '/demo/config' && req.method === 'GET') sendJson(res, 200, config)
    else if (path === '/demo/restart' && req.method === 'POST') {
      // Answer first, then go down: the button learns that the restart began.
      sendJson(res, 202, {downMs: config.restartMs})
      res.on('finish', () => void front?.restart(config.restartMs))
    } else if (path.startsWith('/demo/')) sendJson(res, 404, {error: `Nothing at ${req.method} ${path}`})
    else return false
    return true
  }

  const upstream = {host: '127.0.0.1', port: testServer.port}
  /** @type {number | undefined} */
  let busyPort
  try {
    try {
      front = await startFront({port, host, upstream, handle})
    } catch (error) {
      if (!isAddressInUse(error)) throw error
      if (portGiven)
        throw new Error(`Port ${port} is busy; pick another with --port or PORT (0 for any free port)`, {cause: error})
      busyPort = port
      front = await startFront({port: 0, host, upstream, handle})
    }
  } catch (error) {
    await testServer.close({timeoutMs: 0})
    throw error
  }
  const started = front
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${started.port}/`,
    port: started.port,
    busyPort,
    testServer,
    front: started,
    async close() {
      // Together: the test server sends every stream its shutdown event and ends it, and the front lets those
      // last bytes through before it destroys what is left.
      await Promise.all([testServer.close(), started.close(1000)])
    },
  }
}
