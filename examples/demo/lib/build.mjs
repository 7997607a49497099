// Builds the workspace packages the demo runs on, only when their dist is missing or older than their sources.
import {spawnSync} from 'node:child_process'
import {readdirSync, statSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'

/**
 * @typedef {object} Target
 * @property {string} name the package name, for `pnpm --filter`
 * @property {string[]} inputs files and folders (relative to the package) whose changes call for a rebuild
 * @property {string[]} outputs files (relative to the package) the build writes every time
 */

/** @type {Target[]} */
export const TARGETS = [
  {
    name: '@holdfast/client',
    inputs: [
      'src',
      'package.json',
      'rollup.config.mjs',
      'tsconfig.json',
      'tsconfig.build.json',
      '../../tsconfig.base.json',
    ],
    outputs: ['dist/index.js', 'dist/index.d.ts'],
  },
  {
    name: '@holdfast/test-server',
    inputs: ['src', 'package.json', 'tsconfig.json', 'tsconfig.build.json', '../../tsconfig.base.json'],
    outputs: ['dist/index.js', 'dist/index.d.ts', 'dist/playwright.js'],
  },
]

/**
 * Why a package needs building: `'missing'` when an output is absent, `'stale'` when an input changed after the
 * oldest output was written, `undefined` when it is up to date.
 * @param {{newestInput: number, outputs: Array<number | undefined>}} times modification times in ms
 * @returns {'missing' | 'stale' | undefined}
 */
export function buildReason({newestInput, outputs}) {
  if (outputs.length === 0 || outputs.some((time) => time === undefined)) return 'missing'
  return newestInput > Math.min(.../** @type {number[]} */ (outputs)) ? 'stale' : undefined
}

/** @param {string} path @returns {number | undefined} */
function mtime(path) {
  try {
    return statSync(path).mtimeMs
  } catch {
    return undefined
  }
}

/** The newest modification time of a file, or of any file below a folder. @param {string} path */
function newest(path) {
  const own = mtime(path) ?? 0
  let entries
  try {
    entries = readdirSync(path, {recursive: true, withFileTypes: true})
  } catch {
    return own
  }
  return entries.reduce(
    (latest, entry) => (entry.isFile() ? Math.max(latest, mtime(join(entry.parentPath, entry.name)) ?? 0) : latest),
    own,
  )
}

/** Where a workspace package lives, resolved the way Node resolves the demo's own imports. @param {string} name */
export function packageDir(name) {
  const require = createRequire(import.meta.url)
  try {
    return dirname(require.resolve(`${name}/package.json`))
  } catch {
    throw new Error(`Cannot find ${name}: run \`pnpm install\` at the repository root first`)
  }
}

/**
 * Builds each target whose dist is missing or stale, with `pnpm --filter <name> build`, saying why on `log`.
 * Throws when a build fails.
 * @param {(line: string) => void} log
 */
export function ensureBuilt(log) {
  for (const target of TARGETS) {
    const dir = packageDir(target.name)
    const reason = buildReason({
      newestInput: Math.max(...target.inputs.map((input) => newest(join(dir, input)))),
      outputs: target.outputs.map((output) => mtime(join(dir, output))),
    })
    if (reason === undefined) continue
    log(`Building ${target.name} (its dist is ${reason === 'missing' ? 'missing' : 'older than its sources'})…`)
    const result = spawnSync('pnpm', ['--filter', target.name, 'run', 'build'], {stdio: 'inherit'})
    if (result.status !== 0)
      throw new Error(`Building ${target.name} failed${result.error ? `: ${result.error.message}` : ''}`)
  }
}
