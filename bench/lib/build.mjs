// Bundles every adapter with its library into one browser script (IIFE, global `Impl`), and measures each
// library's size the way scripts/size.mjs measures Holdfast's: minified with terser, gzipped at level 9.
import {fileURLToPath} from 'node:url'
import commonjs from '@rollup/plugin-commonjs'
import {nodeResolve} from '@rollup/plugin-node-resolve'
import {rollup} from 'rollup'
import {minGzipSize} from '../../scripts/size.mjs'

const BENCH = fileURLToPath(new URL('..', import.meta.url))
/** A module that exists only in memory; it lives in the bench folder so that its imports resolve from there. */
const SIZE_ENTRY = `${BENCH}size-entry.js`

async function bundle(input, format, entrySource) {
  const entry = {
    name: 'size-entry',
    resolveId: (id) => (id === SIZE_ENTRY ? id : null),
    load: (id) => (id === SIZE_ENTRY ? entrySource : null),
  }
  const build = await rollup({
    input,
    plugins: [entry, nodeResolve({browser: true, exportConditions: ['browser', 'import', 'default']}), commonjs()],
    onwarn: () => {},
  })
  const {output} = await build.generate({format, name: 'Impl', exports: 'named'})
  await build.close()
  return output[0].code
}

/** The page script for one implementation: its adapter and library, unminified (what a bundler would ship). */
export function buildAdapter(id) {
  return bundle(`${BENCH}adapters/${id}.js`, 'iife')
}

/**
 * min+gzip bytes of a library with its dependencies, every export kept (`null`: nothing to load; `0`: built in).
 * `names: '*'` re-exports an ES module's exports (of every module, when `from` lists several); `'default'` keeps a
 * CommonJS module whole.
 */
export async function librarySize(spec) {
  if (spec === null || spec === 0) return spec
  const source =
    spec.names === '*'
      ? [spec.from]
          .flat()
          .map((from) => `export * from '${from}'\n`)
          .join('')
      : `import lib from '${spec.from}'\nexport default lib\n`
  return minGzipSize(await bundle(SIZE_ENTRY, 'es', source))
}
