import {createServer, type Server} from 'node:http'
import {createSecureServer, type Http2SecureServer, type Http2Session} from 'node:http2'
import type {AddressInfo, Socket} from 'node:net'
import {TestServerError} from './errors.js'
import type {NormalizedOptions} from './options.js'
import type {AnyRequestListener} from './protocol.js'

/** The listening side of a test server: plain HTTP/1.1, or HTTPS with HTTP/2 and HTTP/1.1 (ALPN). */
export interface HttpServer {
  readonly address: AddressInfo
  /**
   * Stops accepting connections and resolves once every one is closed. HTTP/2 sessions get a GOAWAY at once (their
   * streams are ended by the hub); idle HTTP/1.1 keep-alive sockets are closed.
   */
  close(): Promise<void>
  /** Destroys every connection still open (the shutdown deadline). */
  destroyAll(): void
}

/** The TLS material of an HTTP/2 server, PEM-encoded. */
export interface TlsMaterial {
  cert: string
  key: string
}

function listen(server: Server | Http2SecureServer, options: NormalizedOptions): Promise<AddressInfo> {
  const {port, host, backlog} = options
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(new TestServerError('listen-failed', `Cannot listen on ${host}:${port}: ${error.message}`, {cause: error}))
    }
    server.once('error', onError)
    server.listen({port, host, backlog}, () => {
      server.off('error', onError)
      resolve(server.address() as AddressInfo)
    })
  })
}

/** Node's HTTP/1.1 timeouts, which the HTTP/1.1 side of an HTTP/2 server reads from the same fields. */
function applyTimeouts(server: Server | Http2SecureServer, options: NormalizedOptions): void {
  const target = server as {keepAliveTimeout?: number; headersTimeout?: number; requestTimeout?: number}
  target.keepAliveTimeout = options.keepAliveTimeoutMs
  target.headersTimeout = options.headersTimeoutMs
  target.requestTimeout = options.requestTimeoutMs
}

/** Plain HTTP/1.1 on `node:http`. */
async function startHttp1(options: NormalizedOptions, listener: AnyRequestListener): Promise<HttpServer> {
  const server = createServer(
    {
      // TCP keep-alive probes find peers that vanished without a FIN; Nagle off so small frames leave at once.
      keepAlive: true,
      keepAliveInitialDelay: 30_000,
      noDelay: true,
      requestTimeout: options.requestTimeoutMs,
      headersTimeout: options.headersTimeoutMs,
    },
    listener,
  )
  server.keepAliveTimeout = options.keepAliveTimeoutMs
  // No idle timeout on sockets: a quiet stream is not a dead one (heartbeats and TCP keep-alive cover that).
  server.timeout = 0
  const address = await listen(server, options)
  return {
    address,
    // Node closes the idle keep-alive sockets itself; streams close theirs once their end is flushed.
    close: () => new Promise((resolve) => server.close(() => resolve())),
    destroyAll: () => server.closeAllConnections(),
  }
}

/**
 * HTTPS with HTTP/2, and HTTP/1.1 for clients that do not offer h2 in ALPN. Node's HTTP/2 server neither closes its
 * sessions on `close()` nor lets anyone list them, so they are tracked here: `close()` sends each a GOAWAY.
 */
async function startHttp2(
  options: NormalizedOptions,
  tls: TlsMaterial,
  listener: AnyRequestListener,
): Promise<HttpServer> {
  const server = createSecureServer({cert: tls.cert, key: tls.key, allowHTTP1: true}, listener)
  applyTimeouts(server, options)
  const sessions = new Set<Http2Session>()
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    socket.setNoDelay(true)
    socket.setKeepAlive(true, 30_000)
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  server.on('session', (session: Http2Session) => {
    sessions.add(session)
    session.once('close', () => sessions.delete(session))
  })
  const address = await listen(server, options)
  return {
    address,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        // GOAWAY (NO_ERROR): no new streams on this connection; it closes once its open streams have ended.
        for (const session of sessions) session.close()
      }),
    destroyAll: () => {
      for (const session of sessions) session.destroy()
      for (const socket of sockets) socket.destroy()
    },
  }
}

/** Starts the server the options ask for; `tls` is required (and only used) with the `http2` option. */
export function startHttpServer(
  options: NormalizedOptions,
  tls: TlsMaterial | undefined,
  listener: AnyRequestListener,
): Promise<HttpServer> {
  return tls === undefined ? startHttp1(options, listener) : startHttp2(options, tls, listener)
}
