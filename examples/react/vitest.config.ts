import {defineConfig} from 'vitest/config'

// The app's unit tests, in jsdom; vitest.happy-dom.config.ts runs them again in happy-dom (the two DOM emulations
// React apps test in). The root vitest config runs both.
export default defineConfig({
  test: {
    name: 'react example (jsdom)',
    environment: 'jsdom',
    include: ['test/**/*.test.{ts,tsx}'],
    setupFiles: ['test/setup.ts'],
    restoreMocks: true,
    testTimeout: 20_000,
  },
})
