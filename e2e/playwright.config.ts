import {defineConfig} from '@playwright/test'
import type {TestServerOptions} from '@holdfast/test-server'
import type {SseWorkerFixtures} from '@holdfast/test-server/playwright'
import {fileURLToPath} from 'node:url'
import {QUIET_FLAGS} from '../scripts/chromium-flags.mjs'
import {tagsLeftOut, type EngineName} from './engines/engines'
import {writeReadmeSpecs} from './readme-specs'

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

// Debian's Chromium (found or installed by scripts/chromium.mjs); Playwright's own browser when empty.
const executablePath = process.env.CHROMIUM_PATH || undefined

const sseServerOptions: TestServerOptions = {
  static: {
    '/client': here('../packages/client/dist'),
    '/pages': here('pages'),
    '/react': here('../examples/react/dist'),
  },
  // Four heartbeats per second: the tests' 1 s idle timeout (fixtures.ts `fast`) never trips on a healthy stream.
  heartbeatMs: 250,
  // The soak test alone makes 1,300 stream requests; keep all of their records.
  connectionHistory: 5_000,
}

writeReadmeSpecs()

/** A project's `grepInvert`: its own exclusions, and the tests its engine cannot run (engines/engines.ts). */
function leaveOut(engine: EngineName, ...tags: string[]): RegExp {
  return new RegExp([...tags, ...tagsLeftOut(engine)].join('|'))
}

export default defineConfig<object, SseWorkerFixtures>({
  // tests/: the suite; readme/: the READMEs' Playwright examples, as pasted (readme-specs.ts).
  testDir: '.',
  testMatch: ['tests/**/*.spec.ts', 'readme/**/*.spec.ts'],
  fullyParallel: true,
  forbidOnly: true,
  retries: 0,
  workers: 2,
  timeout: 30_000,
  expect: {timeout: 10_000},
  reporter: 'list',
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath,
      args: [...QUIET_FLAGS],
    },
  },
  projects: [
    {
      // Every test, over plain HTTP/1.1. Every worker's test server also serves the built client and the test
      // pages, same-origin with the streams.
      name: 'http1',
      grepInvert: leaveOut('chromium', '@http2-only'),
      use: {sseServerOptions},
    },
    {
      // The fault and status tests again, and the many-tabs test, over HTTPS with HTTP/2 (the server's certificate
      // is made for localhost at start: Chromium is told to accept it). fixtures.ts checks after each test that
      // every stream request of the test came in over h2.
      name: 'http2',
      testMatch: ['stream-faults.spec.ts', 'statuses.spec.ts', 'many-tabs.spec.ts'],
      grepInvert: leaveOut('chromium', '@http1-only'),
      use: {sseServerOptions: {...sseServerOptions, http2: true}, ignoreHTTPSErrors: true},
    },
    {
      // Debian's Firefox ESR through Playwright's WebDriver BiDi channel, behind engines/firefox-launcher.mjs (which
      // answers the one command Playwright sends that this Firefox lacks). Over HTTP/1.1, like http1.
      name: 'firefox',
      grepInvert: leaveOut('firefox', '@http2-only'),
      // A Firefox context and its pages take seconds to make on a busy machine: the safety net is wider.
      timeout: 60_000,
      use: {
        sseServerOptions,
        browserName: 'firefox',
        channel: 'moz-firefox',
        launchOptions: {executablePath: here('engines/firefox-launcher.mjs')},
      },
    },
    {
      // WebKitGTK's MiniBrowser through WebKitWebDriver, under Xvfb (engines/webkit.ts): the specs that use only the
      // `engine` and `harness` fixtures. Playwright itself drives no WebKit here.
      name: 'webkit',
      testMatch: ['tests/**/*.spec.ts'],
      // Every test starts a MiniBrowser of its own (engines/webkit.ts): the safety net is wider.
      timeout: 60_000,
      grepInvert: leaveOut('webkit', '@http2-only'),
      use: {sseServerOptions, browserName: 'webkit'},
    },
  ],
})
