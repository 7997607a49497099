import {execFileSync} from 'node:child_process'
import {mkdtempSync, readdirSync} from 'node:fs'
import {join} from 'node:path'

/**
 * Packs the package in `dir` with `pnpm pack`, as it will be published (`workspace:` ranges replaced), into a new
 * folder under `work`; returns the tarball's path.
 */
export function packTarball(dir: string, work: string): string {
  const out = mkdtempSync(join(work, 'pack-'))
  execFileSync('pnpm', ['pack', '--pack-destination', out], {cwd: dir, stdio: 'pipe'})
  const tarball = readdirSync(out).find((name) => name.endsWith('.tgz'))
  if (tarball === undefined) throw new Error(`pnpm pack wrote no tarball for ${dir}`)
  return join(out, tarball)
}
