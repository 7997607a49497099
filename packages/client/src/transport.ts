import {HoldfastError} from './errors'
import type {NormalizedOptions} from './options'
import {toHeaderValue, urlWithLastEventId} from './resume'
import {parseRetryAfter} from './retry-after'

const EXCERPT_BYTES = 1024

/** What one connection attempt sends. */
export interface AttemptRequest {
  url: string
  lastEventId: string
  attempt: number
  signal: AbortSignal
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
    if (request.lastEventId !== '' && options.lastEventIdIn !== 'query')
      headers.set('last-event-id', toHeaderValue(request.lastEventId))
    return headers
  } catch (cause) {
    throw new HoldfastError('headers', `Could not build the request headers for ${request.url}: ${describe(cause)}`, {
      url: request.url,
      cause,
    })
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause)
}

/** [spec] The MIME type's essence is text/event-stream; parameters and letter case do not matter. */
function isEventStream(contentType: string | null): boolean {
  return contentType !== null && contentType.split(';', 1)[0]!.trim().toLowerCase() === 'text/event-stream'
}

/**
 * The start of an error response, for diagnostics: the first chunk, at most EXCERPT_BYTES, never throws. One read
 * only, so a stalled error body cannot hold the attempt (the rest is cancelled).
 */
async function readExcerpt(response: Response): Promise<string | undefined> {
  const reader = response.body?.getReader()
  try {
    const chunk = (await reader?.read())?.value
    return chunk && new TextDecoder().decode(chunk.subarray(0, EXCERPT_BYTES))
  } catch {
    return undefined
  } finally {
    reader?.cancel().catch(() => {})
  }
}

/** Rejects a response that cannot be an event stream, with a HoldfastError that keeps everything known about it. */
async function checkResponse(response: Response, url: string): Promise<void> {
  const {status, headers} = response
  const contentType = headers.get('content-type')
  if (status === 200 && isEventStream(contentType)) return
  const body = await readExcerpt(response)
  const details = {url, status, headers, body}
  // [spec] 204 No Content: fail the connection; the server asked us to stop.
  if (status === 204)
    throw new HoldfastError(
      'no-content',
      `${url} responded 204 No Content: the server asked the client to stop`,
      details,
    )
  // [spec] Any other status than 200 fails the connection (Holdfast retries the ones in `retryStatuses`).
  if (status !== 200) {
    const retryAfter = parseRetryAfter(headers.get('retry-after'), Date.now())
    const reason = `${status}${response.statusText ? ` ${response.statusText}` : ''}`
    throw new HoldfastError('http-status', `Failed to connect to ${url}: server responded ${reason}`, {
      ...details,
      retryAfter,
    })
  }
  // [spec] A Content-Type other than text/event-stream fails the connection.
  throw new HoldfastError(
    'content-type',
    `Failed to connect to ${url}: expected Content-Type text/event-stream, got ${contentType ?? 'none'}`,
    details,
  )
}

/**
 * Sends one connection attempt and resolves with a response that is a valid event stream; rejects with a
 * HoldfastError otherwise. Aborting `request.signal` abandons the attempt.
 */
export async function openStream(options: NormalizedOptions, request: AttemptRequest): Promise<Response> {
  const headers = await resolveHeaders(options, request)
  const url = urlWithLastEventId(request.url, request.lastEventId, options.lastEventIdIn, options.lastEventIdParam)
  // Looked up at call time so that instrumentation installed after construction (msw, say) is honoured.
  const fetchImpl = options.fetch ?? globalThis.fetch
  let response: Response
  try {
    response = await fetchImpl(url, {
      method: options.method, // [spec] GET, unless the `method` extension says otherwise
      headers,
      body: options.body ?? null,
      cache: 'no-store', // [spec] no caching
      credentials: options.withCredentials ? 'include' : 'same-origin', // [spec] CORS credentials mode
      mode: 'cors',
      redirect: 'follow', // [spec] redirects are followed
      signal: request.signal,
    })
  } catch (cause) {
    throw new HoldfastError('network', `Failed to connect to ${url}: ${describe(cause)}`, {url, cause})
  }
  await checkResponse(response, url)
  return response
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
  signal.addEventListener('abort', cancel, {once: true})
  try {
    for (;;) {
      const {done, value} = await reader.read()
      if (done || signal.aborted) return
      const pause = onChunk(value)
      if (pause) await pause
    }
  } catch (cause) {
    throw new HoldfastError('network', `The connection to ${url} failed mid-stream: ${describe(cause)}`, {url, cause})
  } finally {
    signal.removeEventListener('abort', cancel)
  }
}
