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
  parse: 'src/parse/index.ts',
}
const typescriptPlugin = () =>
  typescript({tsconfig: './tsconfig.build.json', declaration: false, declarationMap: false, sourceMap: true})

/**
 * Files named for what they hold, so that with `sideEffects` a bundler keeps only what an app's imports reach:
 * `HoldfastError` alone does not bring the `EventSource` class. The errors, events and defaults are files of their
 * own, and so is eventsource-parser, which the connection imports first (through src/sse-parser.ts, the first of the
 * chunk's modules to run), so that bundlers place it first, where it compresses best (71 bytes less than after the
 * errors and options); the class and its connection are `event-source`; each entry
 * is a file. `unknown-option` (the warning about a misspelt option) is imported on demand: a chunk that an app's
 * bundler splits off, loaded only when an option name is unknown (the script-tag build inlines it).
 */
const OWN_FILES = /[\\/]src[\\/](errors|events|options|unknown-option)\.ts$/
const manualChunks = (id) => {
  if (/[\\/]src[\\/](shared|iterate|parse)[\\/]|[\\/]src[\\/](index|polyfill|global)\.ts$/.test(id)) return undefined
  if (id.includes('eventsource-parser')) return 'eventsource-parser'
  return OWN_FILES.exec(id)?.[1] ?? 'event-source'
}
/**
 * The declarations share one file: their types refer to each other in a cycle (the options, the init dictionary and
 * the transport strategy), which the runtime's split would turn into chunks that import each other. Types cost an
 * app nothing, so they need no split.
 */
const declarationChunks = (id) => (manualChunks(id) === undefined ? undefined : 'types')

export default [
  {
    input,
    plugins: [nodeResolve(), typescriptPlugin()],
    output: [
      {
        dir: 'dist',
        format: 'es',
        entryFileNames: '[name].js',
        chunkFileNames: '[name].js',
        manualChunks,
        sourcemap: true,
      },
      {
        dir: 'dist',
        format: 'cjs',
        entryFileNames: '[name].cjs',
        chunkFileNames: '[name].cjs',
        manualChunks,
        sourcemap: true,
      },
    ],
  },
  {
    // The script-tag build: one minified IIFE, global `Holdfast`.
    input: 'src/global.ts',
    plugins: [nodeResolve(), typescriptPlugin(), terser({ecma: 2022})],
    output: {
      file: 'dist/holdfast.min.js',
      format: 'iife',
      name: 'Holdfast',
      sourcemap: true,
      inlineDynamicImports: true,
    },
  },
  {
    input,
    plugins: [dts({tsconfig: './tsconfig.build.json'})],
    output: ['.d.ts', '.d.cts'].map((extension) => ({
      dir: 'dist',
      format: 'es',
      entryFileNames: `[name]${extension}`,
      chunkFileNames: `[name]${extension}`,
      manualChunks: declarationChunks,
    })),
  },
]
