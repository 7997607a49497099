import {rmSync} from 'node:fs'
import {nodeResolve} from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'
import typescript from '@rollup/plugin-typescript'
import {dts} from 'rollup-plugin-dts'

// A clean dist on every build: no chunk of an earlier build is left for a consumer to import by mistake.
rmSync('dist', {recursive: true, force: true})

// eventsource-parser is ESM-only; it is bundled in (MIT, ~1.8 KB) so that the CJS build works on every
// supported runtime and bundlers see one self-contained module graph.
const input = {
  index: 'src/index.ts',
  polyfill: 'src/polyfill.ts',
  shared: 'src/shared/index.ts',
  iterate: 'src/iterate/index.ts',
  polling: 'src/polling/index.ts',
}
const typescriptPlugin = () =>
  typescript({tsconfig: './tsconfig.build.json', declaration: false, declarationMap: false, sourceMap: true})

/**
 * One file per module, each named for what it holds (`dist/event-source.js`, `dist/errors.js`, …), so that with
 * `sideEffects` a bundler keeps only the modules an app's imports reach: `HoldfastError` alone does not bring the
 * `EventSource` class. eventsource-parser lands in `dist/node_modules/`.
 */
const files = {preserveModules: true, preserveModulesRoot: 'src'}
/** A module's file: eventsource-parser's go to `dist/vendor/eventsource-parser/` (npm never packs a node_modules). */
const fileName = (extension) => (chunk) =>
  chunk.name.includes('node_modules')
    ? `vendor/eventsource-parser/${chunk.name.split('/').pop()}.${extension}`
    : `[name].${extension}`

export default [
  {
    input,
    plugins: [nodeResolve(), typescriptPlugin()],
    output: [
      {dir: 'dist', format: 'es', entryFileNames: fileName('js'), ...files, sourcemap: true},
      {dir: 'dist', format: 'cjs', entryFileNames: fileName('cjs'), ...files, sourcemap: true},
    ],
  },
  {
    // The script-tag build: one minified IIFE, global `Holdfast`.
    input: 'src/global.ts',
    plugins: [nodeResolve(), typescriptPlugin(), terser({ecma: 2022})],
    output: {file: 'dist/holdfast.min.js', format: 'iife', name: 'Holdfast', sourcemap: true},
  },
  {
    input,
    plugins: [dts({tsconfig: './tsconfig.build.json'})],
    output: [
      {dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', ...files},
      {dir: 'dist', format: 'es', entryFileNames: '[name].d.cts', ...files},
    ],
  },
]
