import type {NormalizedOptions} from '../options.js'
import {header} from './headers.js'
import type {AnyRequest, AnyResponse} from '../protocol.js'

const ALLOW_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'
/** Always allowed, on top of whatever the preflight asks for (unless `cors.headers` lists the allowed ones). */
const ALLOW_HEADERS = ['Last-Event-ID', 'Authorization', 'Content-Type', 'Cache-Control', 'X-Holdfast-Token']
/** Response headers a page may read: the client needs `Retry-After` on a 503, tests read the rest. */
const EXPOSE_HEADERS = 'Retry-After, X-Holdfast-Connection, X-Holdfast-Replay, X-Holdfast-Transport, Location'

/**
 * Sets the CORS headers of the response (the allowed `Origin` reflected, credentials allowed) and answers a
 * preflight. Returns true when the request was a preflight and is finished.
 */
export function applyCors(req: AnyRequest, res: AnyResponse, cors: NormalizedOptions['cors']): boolean {
  const origin = header(req, 'origin')
  if (cors === false || origin === undefined) return false
  res.setHeader('Vary', 'Origin')
  if (cors.origins !== undefined && !cors.origins.has(origin)) return false
  res.setHeader('Access-Control-Allow-Origin', origin)
  res.setHeader('Access-Control-Allow-Credentials', 'true')
  res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS)
  const requestedMethod = header(req, 'access-control-request-method')
  if (req.method !== 'OPTIONS' || requestedMethod === undefined) return false
  const requested = (header(req, 'access-control-request-headers') ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
  const headers = (cors.headers ?? [...new Set([...ALLOW_HEADERS, ...requested])]).join(', ')
  res.setHeader('Access-Control-Allow-Methods', ALLOW_METHODS)
  res.setHeader('Access-Control-Allow-Headers', headers)
  res.setHeader('Access-Control-Max-Age', '600')
  // Chrome's Private Network Access: a public page may talk to this loopback server during tests.
  if (header(req, 'access-control-request-private-network') === 'true')
    res.setHeader('Access-Control-Allow-Private-Network', 'true')
  res.writeHead(204).end()
  return true
}
