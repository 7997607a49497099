import {rmSync} from 'node:fs'
import {isAbsolute} from 'node:path'
import typescript from '@rollup/plugin-typescript'
import {dts} from 'rollup-plugin-dts'

// A clean dist on every build: no file of an earlier build is left for a consumer to import by mistake.
rmSync('dist', {recursive: true, force: true})

// Node's modules and every dependency stay imports: the server is for Node, and installs its dependencies.
const external = (id) => !id.startsWith('.') && !isAbsolute(id) && !id.startsWith('\0')
const entries = {index: 'src/index.ts', playwright: 'src/playwright.ts'}

/**
 * One file per source file, as `tsc` would emit them, so that the modules loaded lazily stay apart: the Redis engine
 * and `@redis/client` only with the `redis` option, `selfsigned` only with `http2`. In a `"type": "module"` package
 * a `.js` file is ESM to Node and to TypeScript, so the CommonJS build is `.cjs` (its declarations `.d.cts`).
 */
const output = (format, extension) => ({
  dir: 'dist',
  format,
  preserveModules: true,
  preserveModulesRoot: 'src',
  entryFileNames: `[name]${extension}`,
  sourcemap: true,
})
// `module` as the tsconfig has it: the plugin's default (ESNext) is refused with NodeNext resolution (TS5110).
const typescriptPlugin = () =>
  typescript({
    tsconfig: './tsconfig.build.json',
    module: 'NodeNext',
    declaration: false,
    declarationMap: false,
    sourceMap: true,
  })

export default [
  // The CLI (`bin/holdfast-test-server.js` imports `dist/cli.js`) awaits at its top level: ESM only.
  {input: {...entries, cli: 'src/cli.ts'}, external, plugins: [typescriptPlugin()], output: output('es', '.js')},
  {input: entries, external, plugins: [typescriptPlugin()], output: output('cjs', '.cjs')},
  // The declarations of both entries, with what they share in `types.d.ts` (`.d.cts`).
  {
    input: entries,
    external,
    plugins: [dts({tsconfig: './tsconfig.build.json'})],
    output: ['.d.ts', '.d.cts'].map((extension) => ({
      dir: 'dist',
      format: 'es',
      entryFileNames: `[name]${extension}`,
      chunkFileNames: `[name]${extension}`,
      manualChunks: (id) => (/[\\/]src[\\/](index|playwright)\.ts$/.test(id) ? undefined : 'types'),
    })),
  },
]
