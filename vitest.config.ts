import {defineConfig} from 'vitest/config'

// One vitest run over every package that has unit tests.
export default defineConfig({
  test: {
    projects: ['packages/*', 'packages/react/react18/vitest.config.ts', 'examples/demo', 'scripts'],
  },
})
