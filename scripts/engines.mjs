// Finds Firefox and WebKitGTK for the e2e suite's `firefox` and `webkit` projects, or installs them, and says what
// it did. Debian's packages: firefox-esr (Playwright drives it over WebDriver BiDi, through
// e2e/engines/firefox-launcher.mjs), webkit2gtk-driver (WebKitWebDriver and MiniBrowser), and Xvfb for MiniBrowser,
// which has no headless mode. Installed with apt when running as root; otherwise the engine is reported missing.
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'

const PACKAGES = ['firefox-esr', 'webkit2gtk-driver', 'xvfb', 'xauth']

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], {encoding: 'utf8'}).stdout?.trim() || undefined
}

/** `$name` if it names a file, else `command` on the PATH. */
function fromEnvOrPath(name, command) {
  const path = process.env[name]
  if (path && existsSync(path)) return path
  if (path) console.log(`engines: ${name}=${path} does not exist; looking on the PATH`)
  return onPath(command)
}

function firefox() {
  const fromEnv = process.env.FIREFOX_PATH
  if (fromEnv && existsSync(fromEnv)) return fromEnv
  return ['/usr/bin/firefox-esr', '/usr/bin/firefox'].find((path) => existsSync(path))
}

/** What the webkit project needs: WebKitWebDriver (it starts MiniBrowser) and Xvfb. */
function webkit() {
  const driver = fromEnvOrPath('WEBKIT_WEBDRIVER_PATH', 'WebKitWebDriver')
  const xvfb = fromEnvOrPath('XVFB_PATH', 'Xvfb')
  return driver && xvfb ? {driver, xvfb} : undefined
}

function canInstall() {
  return typeof process.getuid === 'function' && process.getuid() === 0 && onPath('apt-get') !== undefined
}

/**
 * Finds (or installs, as root with apt) the engines besides Chromium. Returns, per engine, the environment its
 * Playwright project needs, or the reason it cannot run.
 * @returns {{firefox: {env: Record<string, string>} | {missing: string}, webkit: {env: Record<string, string>} | {missing: string}}}
 */
export function ensureEngines() {
  if ((!firefox() || !webkit()) && canInstall()) {
    console.log(`engines: installing Debian packages ${PACKAGES.join(' ')} with apt-get (running as root)`)
    execFileSync(
      'sh',
      ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${PACKAGES.join(' ')}`],
      {stdio: 'inherit'},
    )
  }
  const install = `install them as root: apt-get install -y ${PACKAGES.join(' ')}`
  const ff = firefox()
  const wk = webkit()
  console.log(`engines: firefox ${ff ?? 'not found'}; webkit ${wk ? `${wk.driver} on ${wk.xvfb}` : 'not found'}`)
  return {
    firefox: ff ? {env: {FIREFOX_PATH: ff}} : {missing: `no Firefox (firefox-esr) found; ${install}`},
    webkit: wk
      ? {env: {WEBKIT_WEBDRIVER_PATH: wk.driver, XVFB_PATH: wk.xvfb}}
      : {missing: `no WebKitWebDriver or no Xvfb found; ${install}`},
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(ensureEngines(), null, 2))
