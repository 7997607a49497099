// @holdfast/react's unit tests, run a second time against React 18 (its peer range is ^18 || ^19; the package's own
// run uses React 19). Every import of React and of React Testing Library, from the tests and from the hook's source,
// resolves to this folder's React 18 install, whose react-dom and Testing Library see React 18 as their peer too.
import {createRequire} from 'node:module'
import {dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {defineConfig} from 'vitest/config'

const require = createRequire(import.meta.url)
/** The folder of a package as this folder's own dependencies resolve it. */
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`))
const ownCopies = ['react-dom', 'react', '@testing-library/react', '@testing-library/dom']

export default defineConfig({
  resolve: {
    alias: ownCopies.map((name) => ({find: new RegExp(`^${name}(?=/|$)`), replacement: packageDir(name)})),
  },
  test: {
    name: 'react 18',
    dir: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.{ts,tsx}'],
    exclude: ['test/readme.test.ts'],
    environment: 'happy-dom',
    restoreMocks: true,
    setupFiles: ['../test/setup.ts', './react-version.ts'],
  },
})
