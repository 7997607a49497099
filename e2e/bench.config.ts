// `pnpm --filter @holdfast/e2e bench:polling`: the benchmarks that need the e2e fixtures (a real nginx, the test
// server, the harness page), with the e2e config's browser and server. Never part of `pnpm test`.
import {defineConfig} from '@playwright/test'
import config from './playwright.config'

export default defineConfig({
  ...config,
  testDir: 'bench',
  testMatch: '*.bench.ts',
  workers: 1,
  timeout: 15 * 60_000,
  projects: [{...config.projects![0]!, name: 'bench'}],
})
