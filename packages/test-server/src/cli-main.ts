import {readFileSync} from 'node:fs'
import {parseCliArgs, USAGE} from './cli-args.js'
import {TestServerError} from './errors.js'
import {createTestServer} from './server.js'
import type {LogEntry, TestServer} from './types.js'

/** Where the CLI writes and how it hears signals; the real process in production, fakes in tests. */
export interface CliIo {
  out(line: string): void
  err(line: string): void
  env: Record<string, string | undefined>
  /** Subscribes to SIGTERM and SIGINT; returns the function that unsubscribes. */
  onSignal(listener: (signal: 'SIGTERM' | 'SIGINT') => void): () => void
  /** Called once the server listens (tests use it to reach the server). */
  started?(server: TestServer): void
}

const LEVELS: Record<LogEntry['level'], number> = {error: 0, warn: 1, info: 2, debug: 3}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string}
  return pkg.version
}

/**
 * Runs the command line: starts the server, prints its URL, and on SIGTERM or SIGINT shuts it down gracefully
 * (a second signal destroys what is left at once). Resolves with the exit code.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let args
  try {
    args = parseCliArgs(argv, io.env)
  } catch (error) {
    io.err(`holdfast-test-server: ${(error as Error).message}\nRun with --help for the options.`)
    return 2
  }
  if (args.help) {
    io.out(USAGE)
    return 0
  }
  if (args.version) {
    io.out(version())
    return 0
  }
  const logger = (entry: LogEntry): void => {
    if (LEVELS[entry.level] <= args.verbosity) io.err(`[holdfast-test-server] ${entry.level}: ${entry.message}`)
  }
  let server: TestServer
  try {
    server = await createTestServer({...args.options, logger})
  } catch (error) {
    io.err(`holdfast-test-server: ${(error as Error).message}`)
    return TestServerError.is(error) && error.code === 'invalid-option' ? 2 : 1
  }
  io.out(`holdfast-test-server listening on ${server.url}`)
  const certificate = server.certificate
  if (certificate) {
    const made = args.options.http2 === true ? 'self-signed, made at start' : 'given'
    io.out(`HTTP/2 and HTTP/1.1 over TLS; certificate (${made}) for ${certificate.names}`)
    io.out(`  SHA-256 fingerprint ${certificate.fingerprint256}`)
    io.out(`  SPKI SHA-256 ${certificate.spki256} (Chromium: --ignore-certificate-errors-spki-list=<this>)`)
  }
  if (server.token !== undefined && args.options.token === undefined) io.out(`control token: ${server.token}`)
  io.started?.(server)

  return new Promise<number>((resolve) => {
    let signals = 0
    const unsubscribe = io.onSignal((signal) => {
      signals++
      if (signals > 1) {
        io.err(`holdfast-test-server: ${signal} again, closing every socket now`)
        void server.close({timeoutMs: 0})
        return
      }
      if (args.verbosity > 0) io.out(`holdfast-test-server: ${signal} received, shutting down`)
      server.close().then(
        () => {
          unsubscribe()
          if (args.verbosity > 0) io.out('holdfast-test-server: closed')
          resolve(0)
        },
        (error: unknown) => {
          unsubscribe()
          io.err(`holdfast-test-server: shutdown failed: ${(error as Error).message}`)
          resolve(1)
        },
      )
    })
  })
}
