import {runCli} from './cli-main.js'

// The executable: the real process as the CLI's io. `bin/holdfast-test-server.js` imports this module.
const code = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  onSignal(listener) {
    process.on('SIGTERM', listener)
    process.on('SIGINT', listener)
    return () => {
      process.off('SIGTERM', listener)
      process.off('SIGINT', listener)
    }
  },
})
process.exitCode = code
