import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    name: 'react',
    include: ['test/**/*.test.{ts,tsx}'],
    environment: 'happy-dom',
    restoreMocks: true,
    setupFiles: ['test/setup.ts'],
  },
})
