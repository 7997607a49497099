import {errorStatus, TestServerError} from '../errors.js'
import type {AnyRequest, AnyResponse} from '../protocol.js'

/** Control request bodies larger than this are refused with 413. */
export const MAX_BODY_BYTES = 1024 * 1024

/** Reads a JSON request body; an empty body is `{}`. Throws `invalid-json` or `payload-too-large`. */
export async function readJson(req: AnyRequest): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES)
      throw new TestServerError('payload-too-large', `The request body is larger than ${MAX_BODY_BYTES} bytes`)
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8').trim()
  if (text === '') return {}
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new TestServerError('invalid-json', `The request body is not valid JSON: ${(error as Error).message}`)
  }
}

/** Sends a JSON response (no caching: every answer describes the live state). */
export function sendJson(res: AnyResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, (_key, value: unknown) => (value === Infinity ? 'all' : value))
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  })
  res.end(text)
}

/** Answers with `{error: {code, message}}` and the status of the code. */
export function sendError(res: AnyResponse, error: TestServerError): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const headers: Record<string, string> = error.code === 'unauthorized' ? {'WWW-Authenticate': 'Bearer'} : {}
  sendJson(res, errorStatus(error.code), {error: {code: error.code, message: error.message}}, headers)
}
