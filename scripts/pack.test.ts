// Each package as `npm install` gets it: packed with pnpm (as it will be published), unpacked, and read like npm's
// page reads it. Needs the build (`pnpm build`, which `pnpm test` runs first).
import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, normalize} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'
import {packTarball} from './pack.js'
import {relativeLinks} from './readme/blocks.js'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const work = mkdtempSync(join(tmpdir(), 'holdfast-pack-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

interface Manifest {
  name: string
  repository?: {type: string; url: string; directory: string}
  homepage?: string
  bugs?: {url: string}
  dependencies?: Record<string, string>
  exports: Record<string, unknown>
}

/** Packs a package into its own folder and unpacks it; returns the unpacked `package/` folder. */
function packed(dir: string): string {
  const tarball = packTarball(join(root, dir), work)
  execFileSync('tar', ['-xzf', tarball, '-C', dirname(tarball)])
  return join(dirname(tarball), 'package')
}

describe.each(['packages/client', 'packages/test-server', 'packages/react'])('%s, packed', (dir) => {
  const pkg = packed(dir)
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as Manifest

  it('holds its README, CHANGELOG, LICENSE and build, and every file its exports name', () => {
    for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts'])
      expect(existsSync(join(pkg, file)), file).toBe(true)
    // The values of the exports map (its keys are subpaths like "./polyfill").
    const targets = [...JSON.stringify(manifest.exports).matchAll(/:"(\.\/[^"]+)"/g)].map((match) => match[1]!)
    expect(targets.length).toBeGreaterThanOrEqual(2)
    for (const target of targets) expect(existsSync(join(pkg, target)), target).toBe(true)
    expect(readFileSync(join(pkg, 'CHANGELOG.md'), 'utf8')).toMatch(/^# Changelog\n[\s\S]*## 0\.1\.0/)
  })

  it('says where it comes from: repository (with its folder), homepage and bugs', () => {
    expect(manifest.repository).toEqual({
      type: 'git',
      url: 'git+https://github.com/holdfast-sse/holdfast.git',
      directory: dir,
    })
    expect(manifest.homepage).toBe(`https://github.com/holdfast-sse/holdfast/tree/main/${dir}#readme`)
    expect(manifest.bugs).toEqual({url: 'https://github.com/holdfast-sse/holdfast/issues'})
    expect(JSON.stringify(manifest.dependencies ?? {})).not.toContain('workspace:')
  })

  it('has a README whose relative links all lead to files in the package', () => {
    const readme = readFileSync(join(pkg, 'README.md'), 'utf8')
    expect(readme.length).toBeGreaterThan(3000) // stands on its own, not a stub pointing elsewhere
    const dead = relativeLinks(readme).filter((link) => link === '' || !existsSync(normalize(join(pkg, link))))
    expect(dead).toEqual([])
  })
})
