// Every page of the site runs as pasted, as the READMEs do (scripts/readme/): each ```ts, ```tsx and ```js block
// compiles (strict TypeScript, a module of its own, the page's hidden prelude global), and a block marked
// `<!-- readme-test: run -->` runs as a Node script against the build. Blocks marked `playwright` are specs that the
// e2e suite runs (e2e/readme-specs.ts).
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {readReadme} from '../../scripts/readme/blocks.js'
import {runBlock} from '../../scripts/readme/run.js'
import {typecheckReadme} from '../../scripts/readme/typecheck.js'
import {DOCS_DIR, docsPages} from '../scripts/pages.mjs'

const pages = docsPages().map((page) => readReadme(join(DOCS_DIR, page)))
const withBlocks = pages.filter((page) => page.blocks.length > 0)

describe('the pages of the site', () => {
  it('hold the code blocks of the guide and the references', () => {
    const blocks = pages.flatMap((page) => page.blocks)
    expect(blocks.length).toBeGreaterThanOrEqual(20)
    expect(blocks.filter((block) => block.mode === 'run').length).toBeGreaterThanOrEqual(1)
    expect(blocks.filter((block) => block.mode === 'playwright').length).toBeGreaterThanOrEqual(1)
  })

  // The imports of a page resolve from the docs package, which has every package a page imports (msw, React and
  // its Testing Library, Playwright) installed; the workspace's own packages map to their sources.
  it.each(withBlocks.map((page) => [page.path.slice(DOCS_DIR.length), page] as const))(
    '%s: every block compiles as pasted (strict TypeScript)',
    (_name, page) => {
      expect(typecheckReadme(page, DOCS_DIR)).toEqual([])
    },
    120_000,
  )

  const runs = pages.flatMap((page) =>
    page.blocks.filter((block) => block.mode === 'run').map((block) => ({page, block})),
  )
  it.each(runs.map(({page, block}) => [`${page.path.slice(DOCS_DIR.length)}:${block.line}`, block] as const))(
    '%s runs as a Node script and exits by itself',
    (_name, block) => {
      for (const file of ['packages/client/dist/index.js', 'packages/test-server/dist/index.js'])
        expect(existsSync(join(DOCS_DIR, '..', file)), `${file} is missing: run the build first`).toBe(true)
      const run = runBlock(block, 20_000)
      expect(run, run.stderr).toMatchObject({status: 0, signal: null})
    },
    30_000,
  )
})
