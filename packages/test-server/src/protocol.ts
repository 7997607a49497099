import type {IncomingHttpHeaders, IncomingMessage, ServerResponse} from 'node:http'
import {constants, type Http2ServerRequest, type Http2ServerResponse} from 'node:http2'
import type {Socket} from 'node:net'
import type {HttpProtocol} from './types.js'

/** A request the server answers: HTTP/1.x, or HTTP/2 through Node's compatibility API. */
export type AnyRequest = IncomingMessage | Http2ServerRequest

/** The response to an `AnyRequest`. */
export type AnyResponse = ServerResponse | Http2ServerResponse

/** The server's request listener, for either protocol. */
export type AnyRequestListener = (req: AnyRequest, res: AnyResponse) => void

/** The HTTP version of a request, as introspection reports it. */
export function protocolOf(req: {httpVersion: string}): HttpProtocol {
  return req.httpVersion === '2.0' ? 'h2' : req.httpVersion === '1.0' ? 'http/1.0' : 'http/1.1'
}

/** True for an HTTP/2 response: its stream shares one connection with the client's other requests. */
export function isHttp2(res: AnyResponse): res is Http2ServerResponse {
  return (res as Partial<Http2ServerResponse>).stream !== undefined
}

/**
 * Hop-by-hop headers of a stream response. HTTP/2 forbids `Connection` (the connection is shared by every stream);
 * HTTP/1.1 gets `Connection: keep-alive` for the proxies that look at it.
 */
export function connectionHeaders(res: AnyResponse): Record<string, string> {
  return isHttp2(res) ? {} : {Connection: 'keep-alive'}
}

/** Sends the response head now. HTTP/2 sends it with `writeHead` already (HEADERS frame). */
export function flushHead(res: AnyResponse): void {
  if (!isHttp2(res)) res.flushHeaders()
}

/**
 * Cuts a response off without ending it: the client sees a network error. HTTP/1.1: the socket is destroyed (FIN),
 * or reset (`reset`: TCP RST). HTTP/2: the stream is reset (RST_STREAM with INTERNAL_ERROR) and the connection
 * goes on serving the client's other streams; with `reset`, the TCP connection itself is reset, and every stream
 * multiplexed on it dies with it, as when a real connection is lost.
 */
export function dropResponse(res: AnyResponse, reset: boolean): void {
  if (isHttp2(res)) {
    const socket = res.stream.session?.socket
    if (reset && socket) resetConnection(socket)
    else res.stream.close(constants.NGHTTP2_INTERNAL_ERROR)
    return
  }
  if (reset && res.socket) resetConnection(res.socket)
  else res.socket?.destroy()
}

/**
 * Resets a connection (TCP RST). A TLS socket cannot do it itself (its handle is the TLS layer, and
 * `resetAndDestroy` throws): the TCP socket it wraps (`_parent`, the socket the server accepted) does it.
 */
function resetConnection(socket: Socket): void {
  const tcp = (socket as Socket & {_parent?: Socket | null})._parent ?? socket
  tcp.resetAndDestroy()
}

/**
 * Refuses a request without any response. HTTP/1.1: the connection is reset. HTTP/2: the stream is reset with
 * REFUSED_STREAM, the protocol's own "not processed": a browser may retry such a request by itself.
 */
export function refuseRequest(res: AnyResponse): void {
  if (isHttp2(res)) res.stream.close(constants.NGHTTP2_REFUSED_STREAM)
  else if (res.socket) resetConnection(res.socket)
}

/**
 * A callback that closes the connection of an HTTP/1.1 response (once it is flushed, when passed to `end`), so
 * that a socket does not wait idle for a next request during a shutdown. HTTP/2: nothing, the connection is shared
 * and the shutdown's GOAWAY closes it.
 */
export function closeConnection(res: AnyResponse): (() => void) | undefined {
  if (isHttp2(res)) return undefined
  const socket = res.socket
  return socket ? () => socket.end() : undefined
}

/**
 * The request headers as introspection reports them. HTTP/2 pseudo-headers (`:method`, `:path`…) are left out;
 * `:authority` is reported as `host`, as HTTP/1.1 sends it.
 */
export function requestHeaders(req: AnyRequest): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {}
  for (const [name, value] of Object.entries(req.headers)) if (!name.startsWith(':')) headers[name] = value
  const authority = req.headers[':authority']
  if (headers.host === undefined && typeof authority === 'string') headers.host = authority
  return headers
}
