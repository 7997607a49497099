import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)))
/** Playwright's own CLI, run with this Node: no package manager needed on the PATH. */
const playwrightCli = createRequire(import.meta.url).resolve('@playwright/test/cli')

interface Report {
  stats: {expected: number; unexpected: number; flaky: number; skipped: number}
  errors: Array<{message: string}>
}

describe('the Playwright fixture', () => {
  it('gives every test of parallel workers its own channel and cleans up after each', () => {
    const report = join(mkdtempSync(join(tmpdir(), 'holdfast-fixture-')), 'report.json')
    const run = spawnSync(process.execPath, [playwrightCli, 'test', '-c', 'test/fixture/playwright.config.ts'], {
      cwd: packageDir,
      env: {...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: report, FORCE_COLOR: '0'},
      encoding: 'utf8',
      // Only the net for a run that hangs: a whole Playwright run (its start, two workers, fourteen tests) took 99 s
      // on a busy two-core machine (load 21), although no test in it waits for more than 2.5 s.
      timeout: 240_000,
    })
    const result = JSON.parse(readFileSync(report, 'utf8')) as Report
    expect(result.errors, run.stderr).toEqual([])
    expect(result.stats).toMatchObject({expected: 14, unexpected: 0, flaky: 0, skipped: 0})
    expect(run.status).toBe(0)
  }, 300_000)
})
