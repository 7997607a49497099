import {rmSync} from 'node:fs'
import {nodeResolve} from '@rollup/plugin-node-resolve'
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
}
const typescriptPlugin = () =>
  typescript({tsconfig: './tsconfig.build.json', declaration: false, declarationMap: false, sourceMap: true})

/**
 * What the entries share is one chunk named for what it holds, `core`: the EventSource, its connection and
 * eventsource-parser. `index` re-exports it; `shared` and `polyfill` add to it.
 */
const manualChunks = (id) =>
  /[\\/]src[\\/](shared|iterate)[\\/]|[\\/]src[\\/](index|polyfill)\.ts$/.test(id) ? undefined : 'core'

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
    input,
    plugins: [dts({tsconfig: './tsconfig.build.json'})],
    output: [
      {dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'core.d.ts'},
      {dir: 'dist', format: 'es', entryFileNames: '[name].d.cts', chunkFileNames: 'core.d.cts'},
    ],
  },
]
