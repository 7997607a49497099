import type {Registry} from 'prom-client'
import {TestServerError} from '../errors.js'
import type {Hub} from '../hub.js'
import {requireToken} from './auth.js'
import {runControl} from './control.js'
import {applyCors} from './cors.js'
import {sendError, sendJson} from './json.js'
import {findMount, serveStatic} from './static.js'
import {EVENT_STREAM, handleStreamRequest} from './stream-route.js'
import {closeConnection, type AnyRequest, type AnyRequestListener, type AnyResponse} from '../protocol.js'

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new TestServerError('invalid-request', `The path segment "${segment}" is not valid percent-encoding`)
  }
}

function parseUrl(req: AnyRequest): URL {
  try {
    return new URL(req.url ?? '/', 'http://localhost')
  } catch {
    throw new TestServerError('invalid-request', `The request URL is not valid: ${req.url ?? ''}`)
  }
}

/**
 * A keep-alive socket whose response finishes after the shutdown began would otherwise wait idle for
 * `keepAliveTimeout`: close it as soon as its response is done.
 */
function closeAfterShutdown(hub: Hub, res: AnyResponse): void {
  const close = closeConnection(res)
  if (!close) return
  res.once('finish', () => {
    if (hub.closing) close()
  })
}

async function route(hub: Hub, metrics: Registry, req: AnyRequest, res: AnyResponse): Promise<void> {
  const url = parseUrl(req)
  const path = url.pathname
  if (!path.startsWith('/sse')) closeAfterShutdown(hub, res)
  if (applyCors(req, res, hub.options.cors)) return
  if (path === '/health') {
    const {engine} = hub
    const redisDown = !engine.health.up
    const body = {
      status: hub.closing ? 'shutting-down' : redisDown ? 'redis-unavailable' : 'ok',
      uptimeMs: Math.round(process.uptime() * 1000),
      connections: hub.connections.liveCount,
      channels: hub.channelInfos().length,
      ...(engine.kind === 'redis' ? {redis: engine.health.up ? 'up' : 'down'} : {}),
    }
    sendJson(res, hub.closing || redisDown ? 503 : 200, body)
    return
  }
  if (path === '/metrics') {
    const text = await metrics.metrics()
    res.writeHead(200, {'Content-Type': metrics.contentType, 'Cache-Control': 'no-store'}).end(text)
    return
  }
  if (path === '/sse' || path.startsWith('/sse/')) {
    // Streams close their own socket on shutdown (Stream.end with closeSocket).
    if (req.method === 'HEAD') {
      res.writeHead(200, {'Content-Type': EVENT_STREAM, 'Cache-Control': 'no-cache, no-transform'}).end()
      return
    }
    await handleStreamRequest(hub, req, res, url, path === '/sse' ? 'default' : decodeSegment(path.slice(5)))
    return
  }
  if (path === '/control' || path.startsWith('/control/')) {
    requireToken(req, url, hub.options.token, true)
    const segments = path
      .split('/')
      .slice(2)
      .filter((segment) => segment !== '')
      .map(decodeSegment)
    const answer = await runControl(hub, req, url, segments)
    sendJson(res, answer.status ?? 200, answer.body, answer.headers)
    return
  }
  const mount = findMount(hub.options.static, path)
  if (mount && (req.method === 'GET' || req.method === 'HEAD') && (await serveStatic(req, res, mount, path))) return
  throw new TestServerError(
    'not-found',
    `Nothing at ${req.method ?? 'GET'} ${path} (streams are at /sse/:channel, the control API at /control)`,
  )
}

/** The server's request listener: routes, and turns every error into a JSON answer without disturbing others. */
export function createRequestListener(hub: Hub, metrics: Registry): AnyRequestListener {
  return (req, res) => {
    route(hub, metrics, req, res).catch((error: unknown) => {
      if (TestServerError.is(error)) {
        sendError(res, error)
        return
      }
      hub.log({
        level: 'error',
        message: `Internal error on ${req.method} ${req.url}: ${(error as Error)?.stack ?? String(error)}`,
      })
      sendError(res, new TestServerError('internal', `Internal error: ${(error as Error)?.message ?? String(error)}`))
    })
  }
}
