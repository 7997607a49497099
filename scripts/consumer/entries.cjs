'use strict'
// Every entry of every @holdfast package's `exports`, used as an app uses it, from a project that installed the
// packed tarballs (`scripts/consumer.test.ts` copies this folder there). `require.cjs` runs it through `require`,
// `import.mjs` through `import()`; each prints one JSON object: every entry and what using it gave, `ok` or the error.
const {readFileSync} = require('node:fs')
const {join} = require('node:path')
const vm = require('node:vm')
const {createElement} = require('react')
const {renderToString} = require('react-dom/server')

const PACKAGES = ['@holdfast/client', '@holdfast/react', '@holdfast/test-server']
/** How long one entry may take; past it the entry fails: a stream that never delivers would hang the run. */
const ENTRY_TIMEOUT_MS = 60_000

/** Every entry the installed packages export, as import specifiers. */
function entries() {
  return PACKAGES.flatMap((name) => {
    const manifest = JSON.parse(readFileSync(join(__dirname, 'node_modules', name, 'package.json'), 'utf8'))
    return Object.keys(manifest.exports).map((subpath) => (subpath === '.' ? name : `${name}${subpath.slice(1)}`))
  })
}

function check(condition, message) {
  if (!condition) throw new Error(message)
}

let channels = 0
/**
 * Opens a source on a fresh channel of the test server, publishes one event once the server answered it, and returns
 * what the source received first. `read` takes the source and returns a promise of the first message's data.
 */
async function receive(server, open, read = firstMessage) {
  const scope = server.scope(`consumer-${++channels}`)
  const source = open(scope.url)
  try {
    const received = read(source)
    await scope.nextConnection()
    scope.publish('hello')
    return await received
  } finally {
    source.close()
    scope.dispose()
  }
}

function firstMessage(source) {
  return new Promise((resolve, reject) => {
    source.addEventListener('message', (event) => resolve(event.data))
    source.addEventListener('error', (event) => {
      if (source.readyState === 2) reject(event.error ?? new Error('the source closed'))
    })
  })
}

/** What a component using `hook` renders on the server: its status (no connection is made there). */
function renderStatus(hook, url) {
  const Status = () => createElement('output', null, hook(url).status)
  return renderToString(createElement(Status))
}

/** The checks, by entry: each uses what the entry exports, through `load` (require or import). */
const CHECKS = {
  async '@holdfast/test-server'({load, server}) {
    const {createTestServer, TestServerError, FAULT_TYPES} = await load('@holdfast/test-server')
    check(server.url.startsWith('http://127.0.0.1:'), `the test server listens at ${server.url}`)
    check(FAULT_TYPES.includes('drop'), 'FAULT_TYPES lists drop')
    const refused = await createTestServer({logger: false, port: -1}).catch((error) => error)
    check(refused instanceof TestServerError, `a bad port is a TestServerError, got ${refused}`)
  },
  async '@holdfast/test-server/playwright'({load}) {
    const {test, expect, sseWebServer, sseFixtures} = await load('@holdfast/test-server/playwright')
    check(typeof test.extend === 'function' && typeof expect === 'function', 'test and expect are Playwright’s')
    check('sse' in sseFixtures && 'sseServer' in sseFixtures, 'sseFixtures defines sse and sseServer')
    const {command} = sseWebServer({port: 8787})
    check(command.includes('holdfast-test-server.js') && command.includes('--port 8787'), `command: ${command}`)
  },
  async '@holdfast/client'({load, server}) {
    const {EventSource, HoldfastError, defaultOptions} = await load('@holdfast/client')
    check(defaultOptions.idleTimeout > 0, 'defaultOptions')
    check(HoldfastError.is(new HoldfastError('network', 'offline')), 'HoldfastError.is')
    const data = await receive(server, (url) => new EventSource(url))
    check(data === 'hello', `received ${data}`)
  },
  async '@holdfast/client/polyfill'({load, server}) {
    const {EventSource} = await load('@holdfast/client/polyfill')
    check(globalThis.EventSource === EventSource, 'the polyfill installs the class as globalThis.EventSource')
    const data = await receive(server, (url) => new globalThis.EventSource(url))
    check(data === 'hello', `received ${data}`)
  },
  async '@holdfast/client/shared'({load, server}) {
    const {SharedEventSource} = await load('@holdfast/client/shared')
    // Node has no Web Locks: the source runs solo, a connection of its own.
    const data = await receive(server, (url) => new SharedEventSource(url))
    check(data === 'hello', `received ${data}`)
  },
  async '@holdfast/client/iterate'({load, server}) {
    const {EventSource} = await load('@holdfast/client')
    const {events} = await load('@holdfast/client/iterate')
    const data = await receive(
      server,
      (url) => new EventSource(url),
      async (source) => (await events(source)[Symbol.asyncIterator]().next()).value.data,
    )
    check(data === 'hello', `received ${data}`)
  },
  async '@holdfast/client/polling'({load, server}) {
    const {EventSource} = await load('@holdfast/client')
    const {pollTransport} = await load('@holdfast/client/polling')
    const data = await receive(server, (url) => new EventSource(url, {transport: pollTransport()}))
    check(data === 'hello', `received ${data}`)
  },
  async '@holdfast/client/parse'({load, server}) {
    const {EventSource} = await load('@holdfast/client')
    const {parseWith} = await load('@holdfast/client/parse')
    const parse = parseWith((text) => ({shout: text.toUpperCase()}))
    const data = await receive(server, (url) => new EventSource(url, {parse}))
    check(data?.shout === 'HELLO', `received ${JSON.stringify(data)}`)
  },
  async '@holdfast/client/holdfast.min.js'({resolve, server}) {
    // A classic script, as a page's <script> tag runs it: it defines the global `Holdfast`.
    const file = resolve('@holdfast/client/holdfast.min.js')
    vm.runInThisContext(readFileSync(file, 'utf8'), {filename: file})
    const {Holdfast} = globalThis
    for (const name of ['EventSource', 'SharedEventSource', 'events', 'pollTransport', 'parseWith', 'HoldfastError'])
      check(typeof Holdfast?.[name] === 'function', `Holdfast.${name} is defined`)
    const data = await receive(server, (url) => new Holdfast.EventSource(url))
    check(data === 'hello', `received ${data}`)
  },
  async '@holdfast/react'({load, server}) {
    const {useEventSource} = await load('@holdfast/react')
    const html = renderStatus(useEventSource, server.scope('react').url)
    check(html === '<output>connecting</output>', `rendered ${html}`)
  },
  async '@holdfast/react/shared'({load, server}) {
    const {useSharedEventSource} = await load('@holdfast/react/shared')
    const html = renderStatus(useSharedEventSource, server.scope('react-shared').url)
    check(html === '<output>connecting</output>', `rendered ${html}`)
  },
}
for (const name of PACKAGES)
  CHECKS[`${name}/package.json`] = async ({loadJson}) => {
    const manifest = await loadJson(`${name}/package.json`)
    check(manifest.name === name, `package.json names ${manifest.name}`)
  }

function within(promise, ms) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Uses every entry with the loaders given (`load`, `loadJson`, `resolve`, all through require or all through import)
 * and prints `{entry: 'ok' | error}`. The test server itself is loaded the same way.
 */
async function useEveryEntry(loaders) {
  const {createTestServer} = await loaders.load('@holdfast/test-server')
  const server = await createTestServer({logger: false, shutdownTimeoutMs: 1000})
  const results = {}
  try {
    for (const entry of entries()) {
      const run = CHECKS[entry]
      try {
        if (!run) throw new Error('no check uses this entry: add one to scripts/consumer/entries.cjs')
        await within(run({...loaders, server}), ENTRY_TIMEOUT_MS)
        results[entry] = 'ok'
      } catch (error) {
        results[entry] = String(error?.stack ?? error)
      }
    }
  } finally {
    await server.close()
  }
  process.stdout.write(`${JSON.stringify(results)}\n`)
}

module.exports = {useEveryEntry}
