// Launches headless Chromium on a URL with no DevTools client attached: a driver that enables network tracking
// (Playwright always does) makes Chromium copy every native EventSource message to it, which slows the native
// client several-fold. The page reports to the bench server by itself.
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {QUIET_FLAGS} from '../../scripts/chromium-flags.mjs'
import {ensureChromium} from '../../scripts/chromium.mjs'

/** The quiet flags every Chromium here gets, plus what a benchmark needs. */
const FLAGS = [
  '--headless=new',
  ...QUIET_FLAGS,
  // No throttling of a page the window manager might consider hidden; no back/forward cache keeping old pages.
  '--disable-renderer-backgrounding',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-features=BackForwardCache',
  // `gc()` between measurements, and an unrounded `performance.memory` for the heap workload.
  '--js-flags=--expose-gc',
  '--enable-precise-memory-info',
]

let executable

/** Debian's Chromium (or CHROMIUM_PATH) via scripts/chromium.mjs; Playwright's download as the last resort. */
export async function chromiumPath() {
  if (executable) return executable
  // ensureChromium says what it found on stdout, where the bench prints its table: send that to stderr.
  const log = console.log
  console.log = console.error
  try {
    executable = ensureChromium()
  } finally {
    console.log = log
  }
  if (!executable) {
    const {chromium} = await import('playwright-core')
    executable = chromium.executablePath()
  }
  return executable
}

export async function launch(url, extraFlags = []) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'holdfast-bench-'))
  const child = spawn(await chromiumPath(), [...FLAGS, ...extraFlags, `--user-data-dir=${userDataDir}`, url], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true, // its own process group, so that close() ends the helper processes too
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  return {
    /** The end of Chromium's stderr, for a diagnosis when a page never reports. */
    stderr: () => stderr,
    async close() {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGTERM')
      await exited
      try {
        rmSync(userDataDir, {recursive: true, force: true, maxRetries: 10, retryDelay: 100})
      } catch {
        // A helper that outlived the browser may still be writing there; it is a temporary folder.
      }
    },
  }
}
