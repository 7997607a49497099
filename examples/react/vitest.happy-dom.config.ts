import {defineConfig, mergeConfig} from 'vitest/config'
import jsdom from './vitest.config'

// The same tests as vitest.config.ts, in happy-dom.
export default mergeConfig(jsdom, defineConfig({test: {name: 'react example (happy-dom)', environment: 'happy-dom'}}))
