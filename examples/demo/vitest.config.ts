import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    name: 'demo',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    restoreMocks: true,
    // The server tests talk to a real server over real sockets; a hung socket must fail fast.
    testTimeout: 15_000,
  },
})
