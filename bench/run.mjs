// `pnpm bench`: Holdfast against the native EventSource and the popular clients, in headless Chromium.
//
//   node run.mjs [--rounds 5] [--quick] [--only holdfast,native] [--workloads small,large] [--no-build]
//   node run.mjs --profile holdfast:small     (a CPU profile of one job's page, through Playwright: not a measurement)
//   node run.mjs --report reports/latest.json (the table and goals of a saved run, again)
//
// One server pre-builds the streams; each round launches a fresh Chromium on its first page and the pages walk
// through every (workload, implementation) job, one fresh page each, posting results back. Implementations are
// interleaved within each workload and their order rotates by one every round. The table goes to stdout and,
// with the raw results, to reports/ (ignored by git, prettier and eslint, like every reports/ folder).
import {spawnSync} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {cpus, totalmem} from 'node:os'
import {parseArgs} from 'node:util'
import {buildAdapter, librarySize} from './lib/build.mjs'
import {chromiumPath, launch} from './lib/chromium.mjs'
import {implementations as allImplementations} from './lib/implementations.mjs'
import {buildPayloads} from './lib/payloads.mjs'
import {profile} from './lib/profile.mjs'
import {goals, goalsMarkdown, table} from './lib/report.mjs'
import {startServer} from './lib/server.mjs'
import {workloads as allWorkloads} from './lib/workloads.mjs'

// `pnpm bench -- --quick` hands the script a literal `--` first.
const argv = process.argv.slice(2).filter((arg, index) => index > 0 || arg !== '--')
const {values: args} = parseArgs({
  args: argv,
  options: {
    rounds: {type: 'string', default: '5'},
    quick: {type: 'boolean', default: false},
    only: {type: 'string'},
    workloads: {type: 'string'},
    profile: {type: 'string'},
    report: {type: 'string'},
    'no-build': {type: 'boolean', default: false},
  },
})
const log = (message) => process.stderr.write(`${message}\n`)
const pick = (list, csv) => (csv ? list.filter((item) => csv.split(',').includes(item.id)) : list)

/** The table and the goals of a run (as saved in reports/latest.json). */
function render(run) {
  const workloads = allWorkloads({quick: run.quick}).filter((w) => run.workloads.includes(w.id))
  const implementations = allImplementations.filter((impl) => run.implementations.includes(impl.id))
  const {results, sizes} = run
  return [
    `${run.date} · client ${run.client} · ${run.machine} · ${results.length} rounds · \`${run.command}\``,
    '',
    table({results, workloads, implementations, sizes}),
    '',
    goalsMarkdown(goals({results, workloads})),
    '',
  ].join('\n')
}

if (args.report) {
  // Renders a saved run again, without measuring.
  process.stdout.write(render(JSON.parse(readFileSync(args.report, 'utf8'))))
  process.exit(0)
}

const rounds = Number(args.rounds)
const implementations = pick(allImplementations, args.only)
const workloads = pick(allWorkloads({quick: args.quick}), args.workloads)
const JOB_TIMEOUT = 180_000

if (!args['no-build']) {
  log('building @holdfast/client…')
  const build = spawnSync('pnpm', ['--filter', '@holdfast/client', 'run', 'build'], {encoding: 'utf8'})
  if (build.status !== 0) throw new Error(`the client build failed:\n${build.stdout}${build.stderr}`)
}

log('bundling the implementations and measuring their sizes…')
const bundles = new Map()
const sizes = {}
for (const impl of allImplementations) {
  bundles.set(impl.id, await buildAdapter(impl.id))
  sizes[impl.id] = await librarySize(impl.size)
}

log('building the streams…')
const payloads = buildPayloads({
  small: Math.max(...allWorkloads({quick: args.quick}).map((w) => (w.page.stream === 'small' ? w.page.count : 0))),
  large: allWorkloads({quick: args.quick}).find((w) => w.id === 'large').page.count,
})
const server = await startServer({payloads, bundles})

/** What the page needs to know beyond the workload: the data it must receive, to prove it parsed the stream. */
function pageConfig(workload) {
  const page = {...workload.page}
  const payload = payloads[page.stream]
  if (payload) {
    const expect = (n) => ({bytes: payload.prefix(n).bytes.length, dataChars: payload.prefix(n).dataChars})
    page.expect = expect(page.count)
    page.expectWarmup = expect(page.warmup)
  }
  return page
}

if (args.profile) {
  const [impl, workload] = args.profile.split(':')
  const w = workloads.find((x) => x.id === (workload ?? 'small'))
  await profile({server, impl, workload: w, page: pageConfig(w)})
  await server.close()
  process.exit(0)
}

const results = []
for (let round = 0; round < rounds; round++) {
  const jobs = []
  for (const workload of workloads) {
    const runnable = implementations.filter((impl) => !impl.skip?.includes(workload.id))
    for (let pass = 0; pass < (workload.passes ?? 1); pass++) {
      const shift = (round + pass) % runnable.length
      for (const impl of [...runnable.slice(shift), ...runnable.slice(0, shift)])
        jobs.push({impl: impl.id, workload: workload.id, page: pageConfig(workload)})
    }
  }
  // The first page after a browser launch runs while Chromium is still starting its own services, measured at
  // up to twice as slow: a throwaway copy of the round's first job takes that slot.
  jobs.unshift({...jobs[0], warmup: true})
  server.setRound(round, jobs)
  const got = {}
  let browser = await launch(`${server.origin}/job/${round}/0`)
  for (let index = 0; index < jobs.length; index++) {
    const job = jobs[index]
    let result = await server.result(round, index, JOB_TIMEOUT)
    if (!result) {
      result = {error: `no result within ${JOB_TIMEOUT / 1000} s`}
      log(browser.stderr())
      await browser.close()
      if (index + 1 < jobs.length) browser = await launch(`${server.origin}/job/${round}/${index + 1}`)
    }
    if (job.warmup) {
      log(`round ${round + 1}/${rounds} · warm-up (${job.workload} · ${job.impl}, not counted)`)
      continue
    }
    const workload = workloads.find((w) => w.id === job.workload)
    const passes = ((got[job.workload] ??= {})[job.impl] ??= [])
    passes.push(result)
    const shown = result.error
      ? `ERROR ${result.error}`
      : workload.pool
        ? `${result.samples.length} samples`
        : `${workload.value(result).toFixed(2)} ${workload.unit}`
    log(`round ${round + 1}/${rounds} · ${job.workload} · ${job.impl}: ${shown}`)
  }
  await browser.close()
  // One result per implementation and workload: the only pass, or the passes pooled (a failed pass fails it).
  for (const workload of workloads)
    for (const [impl, passes] of Object.entries(got[workload.id] ?? {}))
      got[workload.id][impl] = passes.find((r) => r.error) ?? (workload.pool ? workload.pool(passes) : passes[0])
  results.push(got)
}
await server.close()

const chromiumVersion = spawnSync(await chromiumPath(), ['--version'], {encoding: 'utf8'}).stdout.trim()
const git = (...args) => spawnSync('git', args, {encoding: 'utf8'}).stdout.trim()
const run = {
  date: new Date().toISOString().slice(0, 10),
  // The client that was measured: the commit, and whether its sources had uncommitted changes.
  client: `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '../packages/client/src') ? ' + uncommitted client changes' : ''}`,
  machine: `${cpus()[0].model.trim()}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB; ${chromiumVersion}; Node ${process.version}`,
  command: `pnpm bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
  quick: args.quick,
  implementations: implementations.map((impl) => impl.id),
  workloads: workloads.map((workload) => workload.id),
  sizes,
  results,
}
mkdirSync('reports', {recursive: true})
writeFileSync('reports/latest.json', JSON.stringify(run, null, 1))
writeFileSync('reports/latest.md', render(run))
process.stdout.write(render(run))
