// Every package as an app gets it: packed with pnpm, installed from the tarballs into a project of its own, then
// every entry of every package's `exports` loaded through `require` and through `import` and used (a stream read
// from the test server, a hook rendered on the server, the Playwright fixture in a spec of each kind), and a
// consumer file per entry type-checked under node16, nodenext (CommonJS and ESM files) and bundler resolution,
// without skipLibCheck. Needs the build (`pnpm build`, which `pnpm test` runs first) and no network: the packages'
// dependencies are linked from the workspace's install.
import {execFile} from 'node:child_process'
import {cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {packTarball} from './pack.js'

const run = promisify(execFile)
const root = dirname(dirname(fileURLToPath(import.meta.url)))
const work = mkdtempSync(join(tmpdir(), 'holdfast-consumer-'))
const app = join(work, 'app')
afterAll(() => rmSync(work, {recursive: true, force: true}))

const PACKAGES = {
  '@holdfast/client': 'packages/client',
  '@holdfast/react': 'packages/react',
  '@holdfast/test-server': 'packages/test-server',
} as const
/** What an app brings besides the packages (peers, React's renderer, types), from the workspace's install. */
const APP_DEPENDENCIES = {
  react: 'packages/react',
  'react-dom': 'packages/react',
  '@types/react': 'packages/react',
  '@types/react-dom': 'packages/react',
  '@playwright/test': 'packages/test-server',
  '@types/node': '.',
}

interface Manifest {
  dependencies?: Record<string, string>
  exports: Record<string, string | Record<string, unknown>>
}
const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest

/** A package installed in the workspace, as a `link:` to its real folder (no registry needed). */
const linkFrom = (dir: string, name: string): string => `link:${realpathSync(join(root, dir, 'node_modules', name))}`

/** Every entry of every package, as import specifiers, from the installed manifests. */
function specifiers(typed: boolean): string[] {
  return Object.keys(PACKAGES).flatMap((name) => {
    const {exports} = manifest(join(app, 'node_modules', name))
    return Object.entries(exports)
      .filter(([, target]) => !typed || JSON.stringify(target).includes('"types"'))
      .map(([subpath]) => (subpath === '.' ? name : `${name}${subpath.slice(1)}`))
  })
}

/** The environment of the tools run in the app: none of the workspace's pnpm settings (a frozen lockfile, say). */
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_|PLAYWRIGHT_)/i.test(key)),
) as NodeJS.ProcessEnv

/** Runs a command in the app; on failure, the error carries what it printed. */
async function inApp(command: string, args: string[]): Promise<string> {
  try {
    return (await run(command, args, {cwd: app, env, timeout: 600_000, maxBuffer: 16 * 1024 * 1024})).stdout
  } catch (error) {
    const {stdout, stderr} = error as {stdout?: string; stderr?: string}
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`, {cause: error})
  }
}

beforeAll(async () => {
  const tarballs = Object.fromEntries(
    Object.entries(PACKAGES).map(([name, dir]) => [name, `file:${packTarball(join(root, dir), work)}`]),
  )
  const overrides: Record<string, string> = {...tarballs}
  for (const dir of Object.values(PACKAGES))
    for (const name of Object.keys(manifest(join(root, dir)).dependencies ?? {}))
      if (!name.startsWith('@holdfast/')) overrides[name] = linkFrom(dir, name)
  const dependencies = {...tarballs}
  for (const [name, dir] of Object.entries(APP_DEPENDENCIES)) dependencies[name] = linkFrom(dir, name)
  mkdirSync(app)
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({name: 'holdfast-consumer', private: true, dependencies, pnpm: {overrides}}, null, 2),
  )
  cpSync(join(root, 'scripts/consumer'), app, {recursive: true})
  await inApp('pnpm', ['install', '--offline', '--no-frozen-lockfile', '--config.confirmModulesPurge=false'])
}, 300_000)

describe('the packed packages, installed in an app', () => {
  it.each(['require', 'import'])(
    'every entry of every package loads through %s and works',
    async (how) => {
      const output = await inApp(process.execPath, [how === 'require' ? 'require.cjs' : 'import.mjs'])
      const results = JSON.parse(output) as Record<string, string>
      expect(results).toEqual(Object.fromEntries(specifiers(false).map((entry) => [entry, 'ok'])))
    },
    600_000,
  )

  it('the Playwright fixture serves a spec loaded through require and one loaded through import', async () => {
    const cli = join(app, 'node_modules/@playwright/test/cli.js')
    const output = await inApp(process.execPath, [
      cli,
      'test',
      '-c',
      'playwright/playwright.config.mjs',
      '--reporter=json',
    ])
    const report = JSON.parse(output) as {stats: {expected: number; unexpected: number; flaky: number}}
    expect(report.stats).toMatchObject({expected: 2, unexpected: 0, flaky: 0})
  }, 600_000)

  /** The consumer file of each typed entry (`types/client-shared.ts` for `@holdfast/client/shared`). */
  const consumers = (): string[] => readdirSync(join(app, 'types')).map((file) => basename(file, '.ts'))
  const fileOf = (specifier: string): string => specifier.replace('@holdfast/', '').replace(/\//g, '-')

  it('has a consumer file for every typed entry', () => {
    expect(consumers().sort()).toEqual(specifiers(true).map(fileOf).sort())
  })

  it.each([
    ['node16', 'node16', ['.cts', '.mts']],
    ['nodenext', 'nodenext', ['.cts', '.mts']],
    ['bundler', 'esnext', ['.ts']],
  ] as const)(
    'the declarations of every entry type-check under %s resolution, without skipLibCheck',
    async (resolution, module, extensions) => {
      const files: string[] = []
      for (const extension of extensions) {
        const dir = join(app, resolution, extension.slice(1))
        mkdirSync(dir, {recursive: true})
        for (const name of consumers()) {
          cpSync(join(app, 'types', `${name}.ts`), join(dir, `${name}${extension}`))
          files.push(join(dir, `${name}${extension}`))
        }
      }
      const compilerOptions = {
        module,
        moduleResolution: resolution,
        target: 'es2022',
        lib: ['es2022', 'dom', 'dom.iterable'],
        types: ['node'],
        strict: true,
        noEmit: true,
        skipLibCheck: false,
      }
      const config = join(app, `tsconfig.${resolution}.json`)
      writeFileSync(config, JSON.stringify({compilerOptions, files}, null, 2))
      const tsc = join(root, 'node_modules/typescript/bin/tsc')
      await expect(inApp(process.execPath, [tsc, '-p', config])).resolves.toBe('')
    },
    600_000,
  )
})
