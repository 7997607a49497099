// Every entry through `import()`, as ES modules and bundlers load them.
import {fileURLToPath} from 'node:url'
import entries from './entries.cjs'

await entries.useEveryEntry({
  load: (id) => import(id),
  loadJson: async (id) => (await import(id, {with: {type: 'json'}})).default,
  resolve: (id) => fileURLToPath(import.meta.resolve(id)),
})
