// The demo's stall scenario in Firefox, as e2e/tests/demo.spec.ts runs it in Chromium. Playwright cannot drive
// Debian's Firefox (it needs its own build, which cannot be downloaded here), so this speaks WebDriver BiDi, which
// Firefox serves itself, over Node's WebSocket. A manual check, not part of `pnpm test`:
//   pnpm --filter @holdfast/demo check:firefox          (Firefox from $FIREFOX_PATH, firefox-esr or firefox)
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const START = fileURLToPath(new URL('start.mjs', import.meta.url))
const FIREFOX = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'].find((p) => p && existsSync(p))
const TIMEOUT_MS = 30_000

/**
 * Starts a child process; `found` resolves with the first match of `pattern` in its output.
 * @param {string} command
 * @param {string[]} args
 * @param {RegExp} pattern
 * @returns {{child: import('node:child_process').ChildProcess, found: Promise<string>}}
 */
function startAndWaitFor(command, args, pattern) {
  const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'pipe']})
  let output = ''
  /** @type {Promise<string>} */
  const found = new Promise((resolve, reject) => {
    /** @param {Buffer} chunk */
    const onData = (chunk) => {
      output += chunk
      const match = pattern.exec(output)
      if (match?.[1]) resolve(match[1])
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => reject(new Error(`${command} exited with ${code}:\n${output}`)))
  })
  return {child, found}
}

/**
 * A WebDriver BiDi session: `send(method, params)` resolves with the command's result; `browser` names it.
 * @param {string} url
 */
async function bidi(url) {
  const socket = new WebSocket(`${url}/session`)
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, {once: true})
    socket.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)), {once: true})
  })
  /** @type {Map<number, (message: any) => void>} */
  const pending = new Map()
  let nextId = 0
  socket.addEventListener('message', ({data}) => {
    const message = JSON.parse(data)
    const settle = pending.get(message.id)
    if (!settle) return
    pending.delete(message.id)
    settle(message)
  })
  /** @type {(method: string, params: object) => Promise<any>} */
  const send = (method, params) =>
    new Promise((resolve, reject) => {
      const id = ++nextId
      pending.set(id, (m) =>
        m.type === 'error' ? reject(new Error(`${method}: ${m.error}: ${m.message}`)) : resolve(m.result),
      )
      socket.send(JSON.stringify({id, method, params}))
    })
  const {capabilities} = await send('session.new', {capabilities: {}})
  return {send, browser: `${capabilities.browserName} ${capabilities.browserVersion}`, close: () => socket.close()}
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Polls `read` until `done(value)`; fails with `what` and the last value after TIMEOUT_MS.
 * @template T
 * @param {() => Promise<T>} read
 * @param {(value: T) => boolean} done
 * @param {string} what
 * @returns {Promise<T>}
 */
async function until(read, done, what) {
  const deadline = Date.now() + TIMEOUT_MS
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(value)}`)
    await sleep(200)
  }
}

if (!FIREFOX) {
  console.error('check-firefox: no Firefox found (set FIREFOX_PATH, or apt-get install firefox-esr)')
  process.exit(2)
}
const profile = mkdtempSync(join(tmpdir(), 'holdfast-firefox-'))
const demo = startAndWaitFor(process.execPath, [START, '--port', '0'], /Holdfast demo: (http:\/\/\S+)/)
const firefox = startAndWaitFor(
  FIREFOX,
  ['--headless', '--no-remote', '--profile', profile, '--remote-debugging-port', '0'],
  /WebDriver BiDi listening on (ws:\/\/\S+)/,
)
let failed
try {
  const [pageUrl, bidiUrl] = await Promise.all([demo.found, firefox.found])
  const session = await bidi(bidiUrl)
  const {contexts} = await session.send('browsingContext.getTree', {})
  const context = contexts[0].context
  await session.send('browsingContext.navigate', {context, url: pageUrl, wait: 'complete'})
  /** @param {string} expression */
  const evaluate = async (expression) => {
    const reply = await session.send('script.evaluate', {expression, target: {context}, awaitPromise: false})
    if (reply.type === 'exception') throw new Error(`in the page: ${reply.exceptionDetails.text}`)
    return reply.result.value
  }
  /**
   * Both panels' `[data-stat]` cells, and whether each one's last event is flagged silent.
   * @typedef {Record<string, string>} PanelStats
   * @returns {Promise<{native: PanelStats, holdfast: PanelStats}>}
   */
  const read = async () =>
    JSON.parse(
      await evaluate(`JSON.stringify(Object.fromEntries(['native', 'holdfast'].map((name) => {
        const cells = document.querySelectorAll('[data-panel="' + name + '"] [data-stat]')
        const stats = Object.fromEntries([...cells].map((cell) => [cell.dataset.stat, cell.textContent.trim()]))
        stats.silent = document.querySelector('[data-panel="' + name + '"] [data-stat="last-event"]')?.dataset.silent
        return [name, stats]
      })))`),
    )
  /** @param {PanelStats} stats */
  const lastId = (stats) => Number(stats['last-id'])

  await until(
    read,
    (s) => s.native.state === 'OPEN (1)' && s.holdfast.state === 'OPEN (1)' && lastId(s.native) > 0,
    'both panels open',
  )
  await evaluate(`[...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Stall').click()`)
  const stalled = await until(read, (s) => s.native.silent === 'true', 'the native panel to fall silent')
  const nativeLastId = lastId(stalled.native)
  const recovered = await until(
    read,
    (s) => lastId(s.holdfast) > nativeLastId + 4 && s.holdfast.state === 'OPEN (1)' && s.holdfast.silent === 'false',
    'Holdfast to reconnect and catch up',
  )
  const checks = {
    'Holdfast reconnected once or more': Number(recovered.holdfast.reconnects) >= 1,
    'Holdfast: no gaps, none missed, no duplicates': ['gaps', 'missing', 'duplicates'].every(
      (k) => recovered.holdfast[k] === '0',
    ),
    'native: still OPEN, silent, no new events, no errors':
      recovered.native.state === 'OPEN (1)' &&
      recovered.native.silent === 'true' &&
      lastId(recovered.native) === nativeLastId &&
      recovered.native.errors === '0',
  }
  for (const [check, ok] of Object.entries(checks)) console.log(`${ok ? 'ok  ' : 'FAIL'} ${check}`)
  console.log(`${session.browser} (${FIREFOX}): ${JSON.stringify(recovered)}`)
  failed = Object.values(checks).includes(false)
  session.close()
} catch (error) {
  console.error(error)
  failed = true
} finally {
  firefox.child.kill()
  demo.child.kill('SIGTERM')
  await sleep(500)
  rmSync(profile, {recursive: true, force: true})
}
process.exit(failed ? 1 : 0)
