/**
 * What went wrong, as a stable machine-readable code. Compare codes, never messages. Over HTTP, the same code is
 * the `error.code` of the JSON body, and the table in the README gives the HTTP status each is answered with.
 *
 * - `invalid-option`: an option passed to `createTestServer` (or a CLI flag) is not valid.
 * - `invalid-fault`: a fault description is not valid (unknown type, bad number, unknown field…).
 * - `invalid-request`: a control request or published event is malformed (missing or wrongly typed field).
 * - `invalid-json`: a control request body is not JSON.
 * - `invalid-channel`: a channel name is empty, too long or uses characters outside `[A-Za-z0-9._~:@-]`.
 * - `unknown-command`: no control command has that name.
 * - `unknown-channel`: a control request reads a channel that was never created.
 * - `unknown-connection`: no connection has that id, or it is already closed.
 * - `unknown-fault`: no fault has that id.
 * - `unauthorized`: the control API requires a token and the request did not present it.
 * - `method-not-allowed`: the control command exists but not with that HTTP method.
 * - `payload-too-large`: a control request body is larger than 1 MiB.
 * - `not-found`: no route, channel stream or static file at that path.
 * - `timeout`: a `waitFor…` call did not see what it waited for in time.
 * - `closed`: the server is closing or closed.
 * - `listen-failed`: the server could not bind its address (port in use, say).
 * - `redis-unavailable`: the server runs on Redis (`redis` option) and Redis cannot be reached (at start, or lost
 *   while running: publishes and new streams are refused until it is back) or refused a command.
 * - `missing-dependency`: an option needs a package that is not installed (`redis` needs `@redis/client`); the
 *   message names it.
 * - `internal`: a bug in the test server; the message says where. Other requests are not affected.
 */
export type TestServerErrorCode =
  | 'invalid-option'
  | 'invalid-fault'
  | 'invalid-request'
  | 'invalid-json'
  | 'invalid-channel'
  | 'unknown-command'
  | 'unknown-channel'
  | 'unknown-connection'
  | 'unknown-fault'
  | 'unauthorized'
  | 'method-not-allowed'
  | 'payload-too-large'
  | 'not-found'
  | 'timeout'
  | 'closed'
  | 'listen-failed'
  | 'redis-unavailable'
  | 'missing-dependency'
  | 'internal'

const statuses: Record<TestServerErrorCode, number> = {
  'invalid-option': 400,
  'invalid-fault': 400,
  'invalid-request': 400,
  'invalid-json': 400,
  'invalid-channel': 400,
  'unknown-command': 400,
  'unknown-channel': 400,
  'unknown-connection': 400,
  'unknown-fault': 400,
  unauthorized: 401,
  'method-not-allowed': 405,
  'payload-too-large': 413,
  'not-found': 404,
  timeout: 408,
  closed: 503,
  'listen-failed': 500,
  'redis-unavailable': 503,
  'missing-dependency': 500,
  internal: 500,
}

/** The HTTP status a control request failing with `code` is answered with. */
export function errorStatus(code: TestServerErrorCode): number {
  return statuses[code]
}

/** The one error type the test server produces, from its API, its CLI and (as JSON) its control endpoints. */
export class TestServerError extends Error {
  override readonly name = 'TestServerError'
  readonly code: TestServerErrorCode

  constructor(code: TestServerErrorCode, message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.code = code
  }

  /** True for a TestServerError from any realm or copy of the library (checks the name and code, not identity). */
  static is(value: unknown): value is TestServerError {
    return (
      value instanceof Error && value.name === 'TestServerError' && typeof (value as {code?: unknown}).code === 'string'
    )
  }
}
