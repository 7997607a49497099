import {defineConfig} from 'vitest/config'

// One vitest run over every package that has unit tests.
export default defineConfig({
  test: {
    projects: [
      'packages/*',
      'packages/react/react18/vitest.config.ts',
      'examples/demo',
      'examples/react/vitest.config.ts',
      'examples/react/vitest.happy-dom.config.ts',
      'scripts',
      'docs',
    ],
  },
})
