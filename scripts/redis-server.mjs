// Debian's redis-server for tests and benchmarks: started on a free loopback port with a temporary directory of its
// own and no persistence, in the foreground of a child process, and stopped after. Shared by the test server's unit
// tests, the e2e suite and the capacity benchmark. `.ci/run` installs redis-server when it is missing.
import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {existsSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {freePort} from './free-port.mjs'

/** The binary: `REDIS_SERVER_PATH`, Debian's `/usr/bin/redis-server`, or whatever is on the PATH. */
function binary() {
  if (process.env.REDIS_SERVER_PATH) return process.env.REDIS_SERVER_PATH
  return existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : 'redis-server'
}

/** Resolves once `PING` on the port answers `+PONG`. */
function pings(port) {
  return new Promise((resolve) => {
    const socket = connect({host: '127.0.0.1', port})
    let reply = ''
    socket.setEncoding('utf8')
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (text) => {
      reply += text
      if (reply.includes('\r\n')) {
        socket.destroy()
        resolve(reply.startsWith('+PONG'))
      }
    })
    socket.on('error', () => resolve(false))
  })
}

/** Starts one redis-server process on `port`; resolves once it answers, rejects if it exits first. */
async function spawnRedis(port, dir) {
  const child = spawn(
    binary(),
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    {stdio: ['ignore', 'pipe', 'pipe']},
  )
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (text) => (output += text))
  child.stderr.setEncoding('utf8').on('data', (text) => (output += text))
  const exited = Promise.race([once(child, 'exit'), once(child, 'error')])
  let gone = false
  void exited.then(() => (gone = true))
  for (let attempt = 0; attempt < 400 && !gone; attempt++) {
    if (await pings(port)) return {child, exited}
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  child.kill('SIGKILL')
  throw new Error(`redis-server did not start on 127.0.0.1:${port}: ${output.trim().split('\n').slice(-3).join(' ')}`)
}

function stopped(child) {
  return child.exitCode !== null || child.signalCode !== null
}

/**
 * Starts Debian's redis-server on loopback: a free port, a fresh temporary directory, `--save '' --appendonly no`.
 * @param {{port?: number}} [options]
 */
export async function startRedis(options = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'holdfast-redis-'))
  let lastError
  // Another process may take the free port before redis-server binds it: try a few.
  for (let tries = 0; tries < 3; tries++) {
    const port = options.port ?? (await freePort())
    let running
    try {
      running = await spawnRedis(port, dir)
    } catch (error) {
      lastError = error
      if (options.port !== undefined) break
      continue
    }
    const url = `redis://127.0.0.1:${port}`
    return {
      url,
      port,
      get running() {
        return !stopped(running.child)
      },
      async kill() {
        if (stopped(running.child)) return
        running.child.kill('SIGKILL')
        await running.exited
      },
      async restart() {
        if (!stopped(running.child)) throw new Error('redis-server is still running; kill() it first')
        running = await spawnRedis(port, dir)
      },
      async stop() {
        if (!stopped(running.child)) {
          running.child.kill('SIGTERM')
          await running.exited
        }
        await rm(dir, {recursive: true, force: true})
      },
    }
  }
  await rm(dir, {recursive: true, force: true})
  throw new Error(
    `Could not start redis-server (is it installed? .ci/run installs it with apt): ${String(lastError)}`,
    {cause: lastError},
  )
}
