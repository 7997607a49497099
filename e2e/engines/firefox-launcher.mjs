#!/usr/bin/env node
// Debian's Firefox ESR for Playwright's WebDriver BiDi channel (`moz-firefox`), given as its `executablePath`.
//
// Playwright starts this file as it would start Firefox, with Firefox's arguments. It starts Firefox with them, and
// stands between the two on the BiDi WebSocket: it passes every message through unchanged, except the commands
// Playwright sends that this Firefox does not implement, which it answers itself with an empty success (listed in
// ANSWERED, with why each is harmless). Any other command Firefox rejects as unknown comes back to Playwright with a
// message that names this file, so that a Playwright upgrade that needs one more answer fails loudly and says where.
//
// Environment: FIREFOX_PATH (default /usr/bin/firefox-esr). Tested by tests/engines/firefox-launcher.spec.ts.
import {spawn} from 'node:child_process'
import {createInterface} from 'node:readline'
import WebSocket, {WebSocketServer} from 'ws'

/**
 * Commands answered here, not by Firefox. `emulation.setMediaFeaturesOverride`: Playwright sends it for every new
 * context (prefers-color-scheme and the like; the suite emulates none of them). Firefox ESR 153 lacks it.
 */
const ANSWERED = new Set(['emulation.setMediaFeaturesOverride'])

/** What Firefox prints once its BiDi server listens; Playwright waits for the same line from this process. */
const LISTENING = /^WebDriver BiDi listening on (ws:\/\/\S+)\s*$/

const firefoxPath = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr'

/** The BiDi reply that points at this file when Firefox does not know a command Playwright sent. */
function unknownCommand(message, method) {
  return {
    ...message,
    message:
      `${message.message ?? ''} [e2e/engines/firefox-launcher.mjs: this Firefox does not implement ${method}, ` +
      `which Playwright sent. If it is harmless for the suite, add it to ANSWERED there, with why.]`,
  }
}

/** Relays one client (Playwright) to Firefox's BiDi endpoint at `upstreamUrl`. */
function relay(client, upstreamUrl) {
  const upstream = new WebSocket(upstreamUrl)
  const pending = []
  /** Command ids sent upstream, with their method: to name the command in an "unknown command" error. */
  const methods = new Map()
  const toUpstream = (text) => (upstream.readyState === WebSocket.OPEN ? upstream.send(text) : pending.push(text))

  client.on('message', (data) => {
    const text = data.toString()
    const command = JSON.parse(text)
    if (ANSWERED.has(command.method)) {
      client.send(JSON.stringify({type: 'success', id: command.id, result: {}}))
      return
    }
    methods.set(command.id, command.method)
    toUpstream(text)
  })
  upstream.on('open', () => pending.splice(0).forEach((text) => upstream.send(text)))
  upstream.on('message', (data) => {
    const text = data.toString()
    const message = JSON.parse(text)
    const method = message.id === undefined ? undefined : methods.get(message.id)
    if (message.id !== undefined) methods.delete(message.id)
    if (message.type === 'error' && message.error === 'unknown command')
      client.send(JSON.stringify(unknownCommand(message, method)))
    else client.send(text)
  })
  const closeBoth = () => {
    if (client.readyState === WebSocket.OPEN) client.close()
    if (upstream.readyState === WebSocket.OPEN || upstream.readyState === WebSocket.CONNECTING) upstream.terminate()
  }
  client.on('close', closeBoth)
  upstream.on('close', closeBoth)
  upstream.on('error', closeBoth)
}

const firefox = spawn(firefoxPath, process.argv.slice(2), {stdio: ['ignore', 'inherit', 'pipe']})
firefox.on('error', (error) => {
  console.error(`firefox-launcher: cannot start ${firefoxPath}: ${error.message}`)
  process.exit(127)
})
firefox.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => firefox.kill(signal))

let server
createInterface({input: firefox.stderr}).on('line', (line) => {
  const listening = LISTENING.exec(line)
  if (!listening || server) {
    process.stderr.write(`${line}\n`)
    return
  }
  const upstreamBase = listening[1]
  server = new WebSocketServer({host: '127.0.0.1', port: 0})
  server.on('connection', (client, request) => relay(client, new URL(request.url ?? '/', upstreamBase).href))
  server.on('listening', () => {
    process.stderr.write(`WebDriver BiDi listening on ws://127.0.0.1:${server.address().port}\n`)
  })
})
