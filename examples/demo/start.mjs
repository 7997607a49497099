// `pnpm demo`: builds what is missing, starts the test server behind the demo's front, prints the page's URL, and
// stops cleanly on Ctrl-C (SIGINT) or SIGTERM.
import {parseDemoArgs, USAGE} from './lib/args.mjs'
import {ensureBuilt} from './lib/build.mjs'

/** @param {string} line */
const say = (line) => process.stdout.write(`${line}\n`)

/** @returns {Promise<number>} the exit code */
async function main() {
  let args
  try {
    args = parseDemoArgs(process.argv.slice(2), process.env)
  } catch (error) {
    process.stderr.write(`demo: ${/** @type {Error} */ (error).message}\n\n${USAGE}\n`)
    return 2
  }
  if (args.help) {
    say(USAGE)
    return 0
  }
  if (args.build) ensureBuilt(say)
  // Imported only now: it loads @holdfast/test-server's dist, which the build above may just have written.
  const {startDemo} = await import('./lib/demo-server.mjs')
  const demo = await startDemo({port: args.port, portGiven: args.portGiven})
  if (demo.busyPort !== undefined) say(`Port ${demo.busyPort} is busy; using ${demo.port} instead.`)
  say(`Holdfast demo: ${demo.url}`)
  say('Open it in a browser; press Ctrl-C to stop.')

  return new Promise((resolve) => {
    /** @param {NodeJS.Signals} signal */
    const stop = (signal) => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      // A second signal while closing ends the process at once.
      process.once('SIGINT', () => resolve(130))
      process.once('SIGTERM', () => resolve(143))
      say(`\n${signal}: stopping the demo…`)
      demo.close().then(
        () => {
          say('Stopped.')
          resolve(0)
        },
        (/** @type {Error} */ error) => {
          process.stderr.write(`demo: could not stop cleanly: ${error.message}\n`)
          resolve(1)
        },
      )
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

main().then(
  (code) => process.exit(code),
  (/** @type {Error} */ error) => {
    process.stderr.write(`demo: ${error.message}\n`)
    process.exit(1)
  },
)
