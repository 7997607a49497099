import typescript from '@rollup/plugin-typescript'
import {dts} from 'rollup-plugin-dts'

// React and the client stay external: the app brings one React (a peer), and shares one client with its own code.
const external = (id) => id === 'react' || id.startsWith('react/') || id.startsWith('@holdfast/client')
const input = {index: 'src/index.ts', shared: 'src/shared.ts'}

export default [
  {
    input,
    external,
    plugins: [
      typescript({tsconfig: './tsconfig.build.json', declaration: false, declarationMap: false, sourceMap: true}),
    ],
    output: [
      {dir: 'dist', format: 'es', entryFileNames: '[name].js', sourcemap: true},
      {dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', sourcemap: true},
    ],
  },
  {
    input,
    external,
    plugins: [dts({tsconfig: './tsconfig.build.json'})],
    output: [
      {dir: 'dist', format: 'es', entryFileNames: '[name].d.ts'},
      {dir: 'dist', format: 'es', entryFileNames: '[name].d.cts'},
    ],
  },
]
