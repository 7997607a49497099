// Finds a Chromium for Playwright, or installs one, and says what it did.
// Order: $CHROMIUM_PATH, Debian's /usr/bin/chromium, then an install: Debian's package when running as root
// with apt, otherwise Playwright's own download.
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser']

function found() {
  const fromEnv = process.env.CHROMIUM_PATH
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv
    console.log(`chromium: CHROMIUM_PATH=${fromEnv} does not exist; looking elsewhere`)
  }
  return CANDIDATES.find((path) => existsSync(path))
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0
}

function hasApt() {
  return spawnSync('sh', ['-c', 'command -v apt-get'], {stdio: 'ignore'}).status === 0
}

/**
 * Resolves to the path of a Chromium binary, or `undefined` when Playwright's own downloaded browser is to be used.
 * Throws when nothing could be found or installed.
 */
export function ensureChromium() {
  const path = found()
  if (path) {
    console.log(`chromium: using ${path}`)
    return path
  }
  if (isRoot() && hasApt()) {
    console.log('chromium: none found; installing Debian package "chromium" with apt-get (running as root)')
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'], {
      stdio: 'inherit',
    })
    const installed = found()
    if (!installed) throw new Error('chromium: apt-get finished but no chromium binary was found')
    console.log(`chromium: installed ${installed}`)
    return installed
  }
  console.log(
    'chromium: none found and no root apt; downloading Playwright\'s own Chromium ("playwright install chromium")',
  )
  execFileSync('pnpm', ['--dir', 'e2e', 'exec', 'playwright', 'install', 'chromium'], {
    stdio: 'inherit',
    env: {...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: ''},
  })
  return undefined
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(ensureChromium() ?? 'playwright-managed')
