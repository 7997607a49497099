// Runs a README block as a Node script, as a user would paste it into a file: the workspace packages are the built
// ones (dist/), so `pnpm build` must have run. The script must exit by itself: nothing may keep it alive.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import ts from 'typescript'
import type {ReadmeBlock} from './blocks.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

const builds: Record<string, string> = {
  '@holdfast/client': 'packages/client/dist/index.js',
  '@holdfast/test-server': 'packages/test-server/dist/index.js',
}

export interface BlockRun {
  status: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs `block` with this Node, killed after `timeoutMs` (a script that never exits fails with SIGTERM). */
export function runBlock(block: ReadmeBlock, timeoutMs: number): BlockRun {
  let code = ts.transpileModule(block.code, {
    compilerOptions: {target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext},
  }).outputText
  for (const [specifier, file] of Object.entries(builds))
    code = code.replaceAll(`'${specifier}'`, `'${pathToFileURL(join(root, file)).href}'`)
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-readme-'))
  try {
    const file = join(dir, `block-${block.line}.mjs`)
    writeFileSync(file, code)
    const run = spawnSync(process.execPath, [file], {encoding: 'utf8', timeout: timeoutMs, cwd: dir})
    return {status: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
