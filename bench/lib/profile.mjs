// A CPU profile of one job's page, to find a hot path. Playwright attaches DevTools here, which slows the native
// EventSource (see chromium.mjs), so a profile is never a measurement: the numbers come from `run.mjs` alone.
import {mkdirSync, writeFileSync} from 'node:fs'
import {chromium} from 'playwright-core'
import {chromiumPath} from './chromium.mjs'

const ROUND = 999

/** Self time per function, highest first: [{name, percent}]. */
export function hottest(cpuProfile, top = 25) {
  const total = cpuProfile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0)
  const self = new Map()
  for (const {callFrame, hitCount = 0} of cpuProfile.nodes) {
    const file = callFrame.url.split('/').pop()
    const name = `${callFrame.functionName || '(anonymous)'} ${file}:${callFrame.lineNumber + 1}`
    self.set(name, (self.get(name) ?? 0) + hitCount)
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, hits]) => ({name, percent: (100 * hits) / total}))
}

export async function profile({server, impl, workload, page}) {
  server.setRound(ROUND, [{impl, workload: workload.id, page}])
  const browser = await chromium.launch({
    executablePath: await chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--js-flags=--expose-gc'],
  })
  try {
    const tab = await browser.newPage()
    const cdp = await tab.context().newCDPSession(tab)
    await cdp.send('Profiler.enable')
    await cdp.send('Profiler.setSamplingInterval', {interval: 100})
    await cdp.send('Profiler.start')
    const result = server.result(ROUND, 0, 180_000)
    await tab.goto(`${server.origin}/job/${ROUND}/0`)
    console.log(JSON.stringify(await result))
    const {profile: cpuProfile} = await cdp.send('Profiler.stop')
    mkdirSync('reports/profiles', {recursive: true})
    const file = `reports/profiles/${impl}-${workload.id}.cpuprofile`
    writeFileSync(file, JSON.stringify(cpuProfile))
    console.log(`${file} (open it in Chrome DevTools' Performance panel); self time:`)
    for (const {name, percent} of hottest(cpuProfile)) console.log(`${percent.toFixed(1).padStart(5)}%  ${name}`)
  } finally {
    await browser.close()
  }
}
