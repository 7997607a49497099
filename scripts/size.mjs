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
 * full client with its fixes; see the README's Size section for what it holds and what each part costs.
 * `shared`: the cross-tab entry, over and above the main entry.
 */
export const BUDGETS = {index: 7600, shared: 3000}

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

/** An entry of the client's dist with every chunk it imports, as one ES module. */
export async function bundleEntry(name) {
  const bundle = await rollup({input: `${CLIENT}dist/${name}.js`, onwarn() {}})
  const {output} = await bundle.generate({format: 'es'})
  await bundle.close()
  return output[0].code
}

export const kb = (bytes) => `${(bytes / 1000).toFixed(2)} KB`

if (import.meta.url === `file://${process.argv[1]}`) {
  const index = await minGzipSize(await bundleEntry('index'))
  const sharedTotal = await minGzipSize(await bundleEntry('shared'))
  const sizes = {index, shared: sharedTotal - index}
  let ok = true
  for (const [name, size] of Object.entries(sizes)) {
    const budget = BUDGETS[name]
    const within = size <= budget
    ok &&= within
    const what = name === 'index' ? '@holdfast/client' : `@holdfast/client/${name}, over the main entry`
    console.log(`size: ${kb(size)} (${size} bytes) min+gzip for ${what}; budget ${kb(budget)} (${budget} bytes)`)
    if (!within) console.error(`size: ${what} is over budget by ${size - budget} bytes`)
  }
  console.log(`size: ${kb(sharedTotal)} (${sharedTotal} bytes) for an app that imports @holdfast/client/shared alone`)
  process.exitCode = ok ? 0 : 1
}
