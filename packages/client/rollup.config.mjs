import {nodeResolve} from '@rollup/plugin-node-resolve'
import typescript from '@rollup/plugin-typescript'
import {dts} from 'rollup-plugin-dts'

// eventsource-parser is ESM-only; it is bundled in (MIT, ~1.8 KB) so that the CJS build works on every
// supported runtime and bundlers see one self-contained module graph.
const input = {index: 'src/index.ts', polyfill: 'src/polyfill.ts'}
const typescriptPlugin = () =>
  typescript({tsconfig: './tsconfig.build.json', declaration: false, declarationMap: false, sourceMap: true})

export default [
  {
    input,
    plugins: [nodeResolve(), typescriptPlugin()],
    output: [
      {dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', sourcemap: true},
      {dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs', sourcemap: true},
    ],
  },
  {
    input,
    plugins: [dts({tsconfig: './tsconfig.build.json'})],
    output: [
      {dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: '[name]-[hash].d.ts'},
      {dir: 'dist', format: 'es', entryFileNames: '[name].d.cts', chunkFileNames: '[name]-[hash].d.cts'},
    ],
  },
]
