import type {HttpProtocol} from './types.js'

/** The HTTP version of a request, as introspection reports it. */
export function protocolOf(req: {httpVersion: string}): HttpProtocol {
  return req.httpVersion === '2.0' ? 'h2' : req.httpVersion === '1.0' ? 'http/1.0' : 'http/1.1'
}
