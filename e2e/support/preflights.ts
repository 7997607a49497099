// The CORS preflights that the test servers of this process answer. The test server answers a preflight itself and
// records no connection for it (a preflight is no stream request), so they are seen here, through Node's
// diagnostics channel for HTTP servers: every request any `node:http` server of this process receives.
import {subscribe, unsubscribe} from 'node:diagnostics_channel'
import type {IncomingMessage} from 'node:http'

/** One preflight: the port of the server it reached, its path, the method and the headers it asked for. */
interface Preflight {
  port: number
  path: string
  method: string
  /** `Access-Control-Request-Headers`, as the browser sent it (lower-case, comma-separated). */
  headers: string
}

const CHANNEL = 'http.server.request.start'

/** Records preflights from its creation until `dispose()`. */
export class Preflights {
  readonly #seen: Preflight[] = []
  readonly #listener = (message: unknown): void => {
    const {request} = message as {request: IncomingMessage}
    const method = request.headers['access-control-request-method']
    if (request.method !== 'OPTIONS' || method === undefined) return
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    const headers = request.headers['access-control-request-headers'] ?? ''
    this.#seen.push({port: request.socket.localPort ?? 0, path, method, headers})
  }

  constructor() {
    subscribe(CHANNEL, this.#listener)
  }

  /**
   * The preflights for a stream URL (`http://host:port/sse/channel?…`: its port and path), in order, each as
   * `OPTIONS GET last-event-id,x-api-key`: the method and the headers asked for, sorted.
   */
  to(streamUrl: string): string[] {
    const url = new URL(streamUrl)
    return this.#seen
      .filter((preflight) => preflight.port === Number(url.port) && preflight.path === url.pathname)
      .map((preflight) => {
        const headers = preflight.headers.split(',').map((name) => name.trim().toLowerCase())
        return ['OPTIONS', preflight.method, headers.filter(Boolean).sort().join(',')].filter(Boolean).join(' ')
      })
  }

  dispose(): void {
    unsubscribe(CHANNEL, this.#listener)
  }
}
