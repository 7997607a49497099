import {defineConfig} from 'vitest/config'

// Checks of the workspace as a whole: the packages as npm gets them.
export default defineConfig({
  test: {
    name: 'scripts',
    include: ['**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
})
