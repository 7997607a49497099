import {defineConfig} from '@playwright/test'
import type {SseWorkerFixtures} from '@holdfast/test-server/playwright'
import {fileURLToPath} from 'node:url'
import {QUIET_FLAGS} from '../scripts/chromium-flags.mjs'
import {writeReadmeSpecs} from './readme-specs'

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

// Debian's Chromium (found or installed by scripts/chromium.mjs); Playwright's own browser when empty.
const executablePath = process.env.CHROMIUM_PATH || undefined

writeReadmeSpecs()

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
    // Every worker's test server also serves the built client and the test pages, same-origin with the streams.
    sseServerOptions: {
      static: {
        '/client': here('../packages/client/dist'),
        '/pages': here('pages'),
        '/react': here('../examples/react/dist'),
      },
      // Four heartbeats per second: the tests' 1 s idle timeout (fixtures.ts `fast`) never trips on a healthy stream.
      heartbeatMs: 250,
      // The soak test alone makes 1,300 stream requests; keep all of their records.
      connectionHistory: 5_000,
    },
  },
})
