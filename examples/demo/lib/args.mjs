// The command line of `pnpm demo`: `--port N` (or `PORT=N`), `--no-build`, `--help`.
import {parseArgs} from 'node:util'

/** The demo's fixed, documented port; when it is busy (and no port was asked for) a free one is used instead. */
export const DEFAULT_PORT = 4700

export const USAGE = `Usage: pnpm demo [-- --port N] [--no-build]

  --port N     listen on port N (0: any free port); also PORT=N. Default ${DEFAULT_PORT}, or a free
               port when ${DEFAULT_PORT} is busy.
  --no-build   do not build the client and test-server packages, even when their dist is missing or stale.
  --help       this text.`

/**
 * @typedef {object} DemoArgs
 * @property {number} port the port to listen on
 * @property {boolean} portGiven true when the port came from `--port` or `PORT`: then a busy port is an error
 * @property {boolean} build build missing or stale packages first
 * @property {boolean} help
 */

/** @param {string} text @param {string} where */
function portNumber(text, where) {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535)
    throw new Error(`${where} must be a port number from 0 to 65535, got "${text}"`)
  return Number(text)
}

/**
 * Reads the arguments (without `node` and the script) and the environment. Throws an Error with a message for
 * the user on anything it does not understand.
 * @param {readonly string[]} argv
 * @param {Record<string, string | undefined>} env
 * @returns {DemoArgs}
 */
export function parseDemoArgs(argv, env) {
  const {values} = parseArgs({
    args: [...argv].filter((arg) => arg !== '--'),
    options: {port: {type: 'string'}, 'no-build': {type: 'boolean'}, help: {type: 'boolean', short: 'h'}},
    strict: true,
  })
  const fromEnv = env.PORT === undefined || env.PORT === '' ? undefined : portNumber(env.PORT, 'PORT')
  const port = values.port === undefined ? fromEnv : portNumber(values.port, '--port')
  return {
    port: port ?? DEFAULT_PORT,
    portGiven: port !== undefined,
    build: !values['no-build'],
    help: values.help === true,
  }
}
