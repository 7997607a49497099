// The size budgets, run by `pnpm test`: each entry of the client, bundled with the chunks it imports (eventsource-
// parser included), minified with terser and gzipped at level 9, must stay within its budget. The main entry is what
// every app pays; `shared` is what an app that shares a stream across tabs pays on top of it. The bench reuses
// `minGzipSize` to measure the other implementations the same way.
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'
import {gzipSync} from 'node:zlib'

const CLIENT = fileURLToPath(new URL('../packages/client/', import.meta.url))
/**
 * Bytes (1 KB = 1000 bytes, as size-limit and bundlephobia count), per entry. `index`: issue 12 set 7.6 KB for the
 * full client with its fixes, and it held 7.57 KB with them; then came the `transport` hook that keeps long polling
 * in its own entry (issue 14, 0.12 KB), files named for what they hold, so that every export is shakeable (issue
 * 16, 0.06 KB), message events that keep their fields under DOM emulations like happy-dom (0.04 KB), and a
 * `subscribe` listener removed during a dispatch not called from it (issue 20, 0.01 KB): 7.80 KB, and this budget,
 * 7.8 KB. Issue 19 left redirects to `fetch` and removed the code that followed them (−0.14 KB); issue 22 sends a
 * non-ASCII Last-Event-ID in the query parameter where WebKitGTK cannot send its bytes in a header (0.07 KB); issue
 * 21's signal, open response, reconnect() and parse seam (0.25 KB) were paid back by size work (−0.20 KB). The docs'
 * Size section (docs/project/benchmarks.md) lists what each part costs.
 * `shared`: the cross-tab entry, over and above the main entry: 2.56 KB with election, relay, hand-over and steals;
 * then the leader's transport relayed to every tab (0.19 KB) and the catch-up of a tab that was frozen or in the
 * back/forward cache, from the leader's backlog (0.55 KB): 3.30 KB; then the hub split into one file per concern
 * (the leadership, what the tab sees, the backlog, the catch-up), whose methods between files terser cannot mangle
 * as it does private ones (0.30 KB): 3.60 KB, and this budget, 3.7 KB. Issue 20's exactly-once hand-overs and issue
 * 21's relayed open response and reconnect() came to 3.88 KB, brought back under the budget by size work.
 */
export const BUDGETS = {index: 7800, shared: 3700}

// terser and rollup are dev dependencies of the client (and of the bench), not of the root.
const require = createRequire(`${CLIENT}package.json`)
const {minify} = require('terser')
const {rollup} = require('rollup')

/**
 * min+gzip size in bytes: terser for an ES module whose syntax may stay ES2022 (the client's build target, and what
 * a bundler targeting current browsers emits), three compress passes, then gzip level 9.
 */
export async function minGzipSize(code) {
  const {code: minified} = await minify(code, {module: true, ecma: 2022, compress: {passes: 3}})
  return gzipSync(minified, {level: 9}).length
}

/** The client's own `sideEffects` list, as a bundler reads it: every other module may be dropped when unused. */
const {sideEffects} = require('./package.json')
const hasSideEffects = (id) => sideEffects.some((file) => id.endsWith(file.replace(/^\.\//, '/')))

/**
 * What an app's bundler keeps of the client for `source`, an ES module that imports it: rollup, following the
 * client's dist files and its `sideEffects` list, as one ES module.
 */
export async function bundleImports(source) {
  const entry = {
    name: 'entry',
    resolveId: (id) =>
      id === 'entry' ? id : id.startsWith('@holdfast/client') ? `${CLIENT}dist/${id.slice(17) || 'index'}.js` : null,
    load: (id) => (id === 'entry' ? source : null),
    // What an app loads only on demand (the warning about a misspelt option) is a chunk of its own: not counted.
    resolveDynamicImport: (specifier) => ({id: specifier, external: 'absolute'}),
  }
  const bundle = await rollup({
    input: 'entry',
    plugins: [entry],
    treeshake: {moduleSideEffects: hasSideEffects},
    onwarn() {},
  })
  const {output} = await bundle.generate({format: 'es'})
  await bundle.close()
  return output[0].code
}

/** An entry of the client's dist with every module it imports, every export kept, as one ES module. */
export const bundleEntry = (name) =>
  bundleImports(`export * from '@holdfast/client${name === 'index' ? '' : `/${name}`}'\n`)

/**
 * What importing one export alone costs: an app that imports only `HoldfastError` (to call `HoldfastError.is`) must
 * not pay for the `EventSource` class. Each of these stays under ALONE bytes.
 */
export const ALONE = {
  budget: 1000,
  exports: ['HoldfastError', 'ConnectionErrorEvent', 'ReconnectingEvent', 'defaultOptions'],
}
const alone = (name) => bundleImports(`import {${name}} from '@holdfast/client'\nexport {${name}}\n`)

export const kb = (bytes) => `${(bytes / 1000).toFixed(2)} KB`

/** The entries an app adds to the main one, measured over it. */
const EXTRAS = ['iterate', 'polling', 'parse', 'polyfill']

/**
 * Every size the budgets and the docs use, in bytes: the main entry; `shared` over it and with it; each other entry
 * over it; each of `ALONE.exports` imported alone.
 */
export async function measureSizes() {
  const index = await minGzipSize(await bundleEntry('index'))
  const sharedTotal = await minGzipSize(await bundleEntry('shared'))
  const sizes = {index, shared: sharedTotal - index, sharedTotal, alone: {}}
  for (const name of EXTRAS) {
    const both = `export * from '@holdfast/client'\nexport * from '@holdfast/client/${name}'\n`
    sizes[name] = (await minGzipSize(await bundleImports(both))) - index
  }
  for (const name of ALONE.exports) sizes.alone[name] = await minGzipSize(await alone(name))
  return sizes
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = await measureSizes()
  let ok = true
  for (const name of Object.keys(BUDGETS)) {
    const size = sizes[name]
    const budget = BUDGETS[name]
    const within = size <= budget
    ok &&= within
    const what = name === 'index' ? '@holdfast/client' : `@holdfast/client/${name}, over the main entry`
    console.log(`size: ${kb(size)} (${size} bytes) min+gzip for ${what}; budget ${kb(budget)} (${budget} bytes)`)
    if (!within) console.error(`size: ${what} is over budget by ${size - budget} bytes`)
  }
  const {sharedTotal} = sizes
  console.log(`size: ${kb(sharedTotal)} (${sharedTotal} bytes) for an app that imports @holdfast/client/shared alone`)
  for (const name of EXTRAS)
    console.log(`size: ${kb(sizes[name])} (${sizes[name]} bytes) for @holdfast/client/${name}, over the main entry`)
  for (const [name, size] of Object.entries(sizes.alone)) {
    const within = size <= ALONE.budget
    ok &&= within
    console.log(`size: ${kb(size)} (${size} bytes) for ${name} imported alone; budget ${kb(ALONE.budget)}`)
    if (!within)
      console.error(`size: ${name} alone brings in more than it needs (over by ${size - ALONE.budget} bytes)`)
  }
  process.exitCode = ok ? 0 : 1
}
