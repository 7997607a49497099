// The Playwright examples of the READMEs and of the documentation site, run as pasted: every block marked
// `<!-- readme-test: playwright -->` becomes a spec under readme/ (generated when the config loads; not committed); a
// block that a README and a page both show runs once. The examples are written for an app whose build is ./dist,
// served by the fixture's `static` option: here that app is examples/react, built by `pnpm build`, so the specs'
// workers run in its folder.
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {readReadme} from '../scripts/readme/blocks.js'
import {docsPages} from '../docs/scripts/pages.mjs'

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

const READMES: Record<string, string> = {
  'test-server': '../packages/test-server/README.md',
  react: '../packages/react/README.md',
  ...Object.fromEntries(
    docsPages().map((page) => [`docs-${page.replace(/\.md$/, '').replace(/\//g, '-')}`, `../docs/${page}`]),
  ),
}

/**
 * Writes the specs (only files whose text changed: workers load the config too), removes those of blocks that moved
 * or went away, and returns their folder.
 */
export function writeReadmeSpecs(): string {
  const dir = here('readme/')
  mkdirSync(dir, {recursive: true})
  const written = new Set<string>()
  const seen = new Set<string>()
  for (const [name, path] of Object.entries(READMES)) {
    const readme = readReadme(here(path))
    for (const block of readme.blocks.filter((b) => b.mode === 'playwright')) {
      if (seen.has(block.code)) continue
      seen.add(block.code)
      const text = [
        `// Generated from ${path.replace('../', '')} line ${block.line} by e2e/readme-specs.ts: edit the Markdown.`,
        `// In a worker, run where the README's ./dist is: examples/react.`,
        `if (process.env.TEST_WORKER_INDEX !== undefined) process.chdir(${JSON.stringify(here('../examples/react'))})`,
        '',
        block.code,
        '',
      ].join('\n')
      const file = `${name}-${block.line}.spec.ts`
      written.add(file)
      if (!existsSync(dir + file) || readFileSync(dir + file, 'utf8') !== text) writeFileSync(dir + file, text)
    }
  }
  for (const file of readdirSync(dir)) if (!written.has(file)) rmSync(dir + file)
  return dir
}
