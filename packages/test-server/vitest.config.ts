import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    name: 'test-server',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    restoreMocks: true,
    // Every test talks to a real server over real sockets; a hung socket must fail fast, not stall the run.
    testTimeout: 15_000,
  },
})
