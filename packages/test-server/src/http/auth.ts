import {timingSafeEqual} from 'node:crypto'
import {TestServerError} from '../errors.js'
import {header} from './headers.js'
import type {AnyRequest} from '../protocol.js'

function same(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** The token a request presents: `X-Holdfast-Token`, then `Authorization: Bearer` (if allowed), then `?token=`. */
function presented(req: AnyRequest, url: URL, bearer: boolean): string | undefined {
  const token = header(req, 'x-holdfast-token')
  if (token !== undefined) return token
  const authorization = header(req, 'authorization')
  if (bearer && authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim()
  return url.searchParams.get('token') ?? undefined
}

/**
 * Throws `unauthorized` unless the request presents `token` (no token configured: everything is allowed). Stream
 * requests pass `bearer: false`: their `Authorization` header belongs to the app under test.
 */
export function requireToken(req: AnyRequest, url: URL, token: string | undefined, bearer: boolean): void {
  if (token === undefined) return
  const value = presented(req, url, bearer)
  if (value !== undefined && same(value, token)) return
  throw new TestServerError(
    'unauthorized',
    value === undefined
      ? `This server requires a token: send \`X-Holdfast-Token\`${bearer ? ', `Authorization: Bearer`' : ''} or \`?token=\``
      : 'The token is not valid',
  )
}
