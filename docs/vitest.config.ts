import {defineConfig} from 'vitest/config'

// The site's checks: its pages' code blocks, and the link checker's own tests.
export default defineConfig({
  test: {
    name: 'docs',
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
})
