// `pnpm test`: everything a contributor must keep green, ending with one line `N passed, N failed, N skipped`.
// Static checks (build, type-check, lint, format, size) count as one test each; then vitest and Playwright
// report their own tests through their JSON reports.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, rmSync} from 'node:fs'
import {ensureChromium} from './chromium.mjs'
import {ensureEngines} from './engines.mjs'

const REPORTS = 'reports'
rmSync(REPORTS, {recursive: true, force: true})
mkdirSync(REPORTS, {recursive: true})

const totals = {passed: 0, failed: 0, skipped: 0}
const lines = []

function run(command, args, env = {}) {
  const started = Date.now()
  const result = spawnSync(command, args, {stdio: 'inherit', env: {...process.env, ...env}})
  return {ok: result.status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1)}
}

function check(name, command, args) {
  console.log(`\n▶ ${name}: ${command} ${args.join(' ')}`)
  const {ok, seconds} = run(command, args)
  totals[ok ? 'passed' : 'failed']++
  lines.push(`${ok ? 'ok    ' : 'FAILED'} ${name} (${seconds}s)`)
  return ok
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return undefined
  }
}

function suite(name, command, args, reportPath, count, env) {
  console.log(`\n▶ ${name}: ${command} ${args.join(' ')}`)
  const {seconds} = run(command, args, env)
  const report = existsSync(reportPath) ? readJson(reportPath) : undefined
  if (!report) {
    totals.failed++
    lines.push(`FAILED ${name}: no report at ${reportPath} (${seconds}s)`)
    return
  }
  const c = count(report)
  totals.passed += c.passed
  totals.failed += c.failed
  totals.skipped += c.skipped
  const ok = c.failed === 0 && c.passed > 0
  if (c.passed === 0 && c.failed === 0) totals.failed++
  lines.push(
    `${ok ? 'ok    ' : 'FAILED'} ${name}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped (${seconds}s)`,
  )
}

const built = check('build', 'pnpm', ['run', 'build'])
// The documentation site: TypeDoc's API reference, then VitePress, which fails on a link to a missing page, then every
// anchor and every README link into the site (docs/scripts/check-links.mjs).
check('docs site', 'pnpm', ['--filter', '@holdfast/docs', 'run', 'build'])
check('typecheck', 'pnpm', ['run', 'typecheck'])
check('lint', 'pnpm', ['exec', 'eslint', '.'])
check('format', 'pnpm', ['exec', 'prettier', '--check', '.'])
if (existsSync('scripts/size.mjs')) check('size budget', 'node', ['scripts/size.mjs'])

suite(
  'unit (vitest)',
  'pnpm',
  ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${REPORTS}/vitest.json`],
  `${REPORTS}/vitest.json`,
  (r) => ({passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests}),
)

/** Playwright's JSON report, counted as the closing line counts tests. */
const playwrightCount = (r) => ({
  passed: r.stats.expected,
  failed: r.stats.unexpected + r.stats.flaky,
  skipped: r.stats.skipped,
})

// The e2e suite, one engine after the other (two cores: engines side by side would starve each other's timers).
// Each engine's projects run as one invocation with its own report; an engine that cannot run counts as a failure.
const engines = [
  {name: 'chromium', projects: ['http1', 'http2']},
  {name: 'firefox', projects: ['firefox']},
  {name: 'webkit', projects: ['webkit']},
]
if (!built) {
  totals.failed += engines.length
  for (const {name} of engines) lines.push(`FAILED e2e ${name} (playwright): not run, the build failed`)
} else {
  let chromium
  try {
    chromium = ensureChromium()
  } catch (error) {
    console.error(String(error))
  }
  let others
  try {
    others = ensureEngines()
  } catch (error) {
    const missing = `could not install the engines: ${String(error)}`
    others = {firefox: {missing}, webkit: {missing}}
  }
  const found = {chromium: {env: {CHROMIUM_PATH: chromium ?? ''}}, ...others}
  for (const {name, projects} of engines) {
    const engine = found[name]
    if ('missing' in engine) {
      console.error(`\n▶ e2e ${name}: not run: ${engine.missing}`)
      totals.failed++
      lines.push(`FAILED e2e ${name} (playwright): not run, ${engine.missing}`)
      continue
    }
    const report = `${REPORTS}/playwright-${name}.json`
    suite(
      `e2e ${name} (playwright)`,
      'pnpm',
      ['--dir', 'e2e', 'exec', 'playwright', 'test', ...projects.map((p) => `--project=${p}`), '--reporter=list,json'],
      report,
      playwrightCount,
      {PLAYWRIGHT_JSON_OUTPUT_NAME: `${process.cwd()}/${report}`, ...engine.env},
    )
  }
}

console.log('\nSummary:')
for (const line of lines) console.log(`  ${line}`)
const failed = totals.failed > 0 || totals.passed === 0
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`)
process.exitCode = failed ? 1 : 0
