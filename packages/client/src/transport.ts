import {HoldfastError, type HoldfastErrorCode} from './errors'
import type {NormalizedOptions} from './options'
import {lastEventIdIn, toHeaderValue, urlWithLastEventId} from './resume'
import {parseRetryAfter} from './retry-after'

const EXCERPT_BYTES = 1024

/** A response that is a valid event stream, and the URL it came from after the redirects `fetch` followed. */
export interface Followed {
  response: Response
  url: string
}

/** Releases a response body that nobody will read (some `fetch`es do not tie it to the abort signal). */
export function cancelBody(response: Response): void {
  response.body?.cancel().catch(() => {})
}

/** What one connection attempt sends. */
export interface AttemptRequest {
  url: string
  lastEventId: string
  attempt: number
  signal: AbortSignal
  /** Called when the response's head arrived: from here the attempt is bounded by the excerpt's own wait. */
  onHead(): void
}

async function resolveHeaders(options: NormalizedOptions, request: AttemptRequest): Promise<Headers> {
  const source = options.headers
  let init: HeadersInit | undefined
  try {
    init =
      typeof source === 'function' ? await source({attempt: request.attempt, lastEventId: request.lastEventId}) : source
    const headers = new Headers(init)
    // [spec] Accept: text/event-stream (a caller's own Accept is respected).
    if (!headers.has('accept')) headers.set('accept', 'text/event-stream')
    // [spec] Last-Event-ID when the last event ID string is not empty, encoded as UTF-8.
    if (request.lastEventId !== '' && lastEventIdIn(request.lastEventId, options.lastEventIdIn) !== 'query')
      headers.set('last-event-id', toHeaderValue(request.lastEventId))
    return headers
  } catch (cause) {
    throw causedBy('headers', `Could not build the request headers for ${request.url}`, request.url, cause)
  }
}

/**
 * A failure of `url` whose message says what failed, then why: `cause`'s message (a stream errored without a reason,
 * as msw's sse() `client.error()` does, has none), then `note`.
 */
function causedBy(code: HoldfastErrorCode, what: string, url: string, cause: unknown, note = ''): HoldfastError {
  const why = cause instanceof Error ? cause.message : String(cause ?? 'no reason given')
  return new HoldfastError(code, `${what}: ${why}${note}`, {url, cause})
}

/** [spec] The MIME type's essence is text/event-stream; parameters, whitespace around it and letter case do not matter. */
const isEventStream = (contentType: string | null): boolean => /^\s*text\/event-stream\s*(;|$)/i.test(contentType ?? '')

/** How long an error response's body may take to start before the error is reported without its excerpt. */
export const EXCERPT_WAIT = 100

/**
 * The start of an error response, for diagnostics: the first chunk, at most EXCERPT_BYTES, never throws. Best
 * effort: one read, given up after EXCERPT_WAIT ms, so a silent error body can neither hold nor change the
 * decision, which the status and headers alone have made. The rest of the body is cancelled.
 */
async function readExcerpt(response: Response): Promise<string | undefined> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  const cancel = (): void => void reader?.cancel().catch(() => {})
  // Cancelling a reader ends the read it waits on (the streams' own rule): the wait needs no race of its own.
  const timer = setTimeout(cancel, EXCERPT_WAIT)
  try {
    reader = response.body?.getReader()
    const chunk = (await reader?.read())?.value
    return chunk && new TextDecoder().decode(chunk.subarray(0, EXCERPT_BYTES))
  } catch {
    return undefined
  } finally {
    clearTimeout(timer)
    cancel()
  }
}

/** Whether `body` can be read as a stream of bytes (a custom `fetch` may hand back anything). */
function isReadable(body: unknown): body is ReadableStream<Uint8Array> {
  return typeof (body as ReadableStream | null)?.getReader === 'function'
}

/**
 * Rejects a response that cannot be an event stream, with a HoldfastError that keeps everything known about it.
 * The decision rests on the status and headers alone.
 */
async function checkResponse(response: Response, url: string): Promise<void> {
  const status = response?.status
  const headers = response?.headers
  const contentType = headers?.get('content-type')
  const fail = (code: HoldfastErrorCode, why: string, retryAfter?: number, body?: string): HoldfastError =>
    new HoldfastError(code, `Failed to connect to ${url}: ${why}`, {url, status, headers, retryAfter, body})
  const stream = status === 200 && isEventStream(contentType)
  // A custom `fetch` may hand back anything: this fails the same way every time, so it is never retried.
  if (typeof status !== 'number' || (stream && !isReadable(response.body)))
    throw fail('invalid-response', 'fetch gave no Response with a readable body')
  if (stream) return
  // [spec] 204 No Content: fail the connection; the server asked us to stop. Any other status than 200 fails the
  // connection (Holdfast retries the ones in `retryStatuses`), and so does a Content-Type other than text/event-stream.
  const [code, why, retryAfter]: [HoldfastErrorCode, string, number?] =
    status === 204
      ? ['no-content', 'server responded 204 No Content']
      : status !== 200
        ? [
            'http-status',
            `server responded ${status}${response.statusText ? ` ${response.statusText}` : ''}`,
            parseRetryAfter(headers.get('retry-after'), Date.now()),
          ]
        : ['content-type', `expected Content-Type text/event-stream, got ${contentType ?? 'none'}`]
  throw fail(code, why, retryAfter, await readExcerpt(response))
}

/**
 * Sends one connection attempt and resolves with a response that is a valid event stream, and the URL it came from
 * after redirects; rejects with a HoldfastError otherwise. Aborting `request.signal` abandons the attempt.
 */
export async function openStream(options: NormalizedOptions, request: AttemptRequest): Promise<Followed> {
  const headers = await resolveHeaders(options, request)
  const {body} = options
  const streamBody = body instanceof ReadableStream
  // [ext] A stream body is sent once (with `duplex: 'half'`): a reconnection cannot re-send it.
  if (streamBody && body.locked)
    throw new HoldfastError('invalid-option', `A ReadableStream \`body\` cannot be sent to ${request.url} again`)
  const url = urlWithLastEventId(request.url, request.lastEventId, options.lastEventIdIn, options.lastEventIdParam)
  // Looked up at call time so that instrumentation installed after construction (msw, say) is honoured.
  const fetchImpl = options.fetch ?? globalThis.fetch
  let response: Response
  try {
    // [spec] One request per attempt; fetch follows the redirects with its own rules (a 303, or a POST moved by
    // 301/302, becomes a GET; `Authorization` and cookies are dropped on a hop to another origin; browsers send
    // other headers there only with that origin's CORS consent).
    response = await fetchImpl(url, {
      method: options.method, // [spec] GET, unless the `method` extension says otherwise
      // A plain object, so that a custom fetch may spread it: `{...init.headers, authorization}`.
      headers: Object.fromEntries(headers),
      body: body ?? null,
      cache: 'no-store', // [spec] no caching
      // [spec] CORS credentials mode (and mode `cors`, fetch's own default)
      credentials: options.withCredentials ? 'include' : 'same-origin',
      signal: request.signal,
      // [ext] A stream body needs half duplex (fetch rejects it otherwise); it is sent once, never re-sent.
      ...(streamBody && {duplex: 'half'}),
    } as RequestInit)
  } catch (cause) {
    // fetch cannot send a stream body twice: a 307 or 308 fails it, with nothing but a network error to say so.
    const note = streamBody ? ' (not retried: a ReadableStream body is sent once; fetch fails it on a 307 or 308)' : ''
    throw causedBy('network', `Failed to connect to ${url}`, url, cause, note)
  }
  request.onHead()
  await checkResponse(response, url)
  return {response, url: (response.redirected && response.url) || url}
}

/**
 * Reads `body` to its end, handing each chunk to `onChunk`; when that returns a promise, reading waits for it
 * (backpressure). On abort the reader is cancelled without awaiting:
 * some fetch implementations (msw's, notably) never settle a cancel or error an aborted body, and the loop must
 * not hang on them. A body error rejects with a `network` HoldfastError.
 */
export async function readStream(
  body: ReadableStream<Uint8Array>,
  url: string,
  signal: AbortSignal,
  onChunk: (chunk: Uint8Array) => Promise<void> | undefined,
): Promise<void> {
  const reader = body.getReader()
  const cancel = (): void => {
    reader.cancel(signal.reason).catch(() => {})
  }
  if (signal.aborted) return cancel()
  signal.addEventListener('abort', cancel) // removed below, once reading ends
  try {
    for (;;) {
      const {done, value} = await reader.read()
      if (done || signal.aborted) return
      const pause = onChunk(value)
      if (pause) await pause
    }
  } catch (cause) {
    throw causedBy('network', `The connection to ${url} failed mid-stream`, url, cause)
  } finally {
    signal.removeEventListener('abort', cancel)
  }
}
