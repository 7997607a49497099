import {rmSync} from 'node:fs'
import typescript from '@rollup/plugin-typescript'
import {dts} from 'rollup-plugin-dts'

// A clean dist on every build: no chunk of an earlier build is left for a consumer to import by mistake.
rmSync('dist', {recursive: true, force: true})

// React and the client stay external: the app brings one React (a peer), and shares one client with its own code.
const external = (id) => id === 'react' || id.startsWith('react/') || id.startsWith('@holdfast/client')
const input = {index: 'src/index.ts', shared: 'src/shared.ts'}

/**
 * Each format names its chunks (the code and types both entries share) with its own extension: in a
 * `"type": "module"` package a `.js` file is ESM to Node and to TypeScript, so a CommonJS chunk must be `.cjs` and a
 * CommonJS declaration `.d.cts` (or `require` loads ESM, and node16 resolution rejects the import, TS1479).
 */
const output = (format, extension) => ({
  dir: 'dist',
  format,
  entryFileNames: `[name]${extension}`,
  chunkFileNames: `[name]${extension}`,
})

export default [
  {
    input,
    external,
    plugins: [
      typescript({tsconfig: './tsconfig.build.json', declaration: false, declarationMap: false, sourceMap: true}),
    ],
    output: [
      {...output('es', '.js'), sourcemap: true},
      {...output('cjs', '.cjs'), sourcemap: true},
    ],
  },
  {
    input,
    external,
    plugins: [dts({tsconfig: './tsconfig.build.json'})],
    output: [output('es', '.d.ts'), output('es', '.d.cts')],
  },
]
