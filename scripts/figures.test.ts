// The figures the docs quote come from the build through one file, docs/figures.json: a figure that no longer matches
// the build, or a README that quotes another, fails here. `pnpm figures` updates both. Needs the build.
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {
  DOCS,
  FIGURES_FILE,
  fillFigures,
  formatFigures,
  markedFigures,
  measureFigures,
  type Figures,
} from './figures.mjs'

const root = fileURLToPath(new URL('../', import.meta.url))
const read = (file: string): string => readFileSync(join(root, file), 'utf8')
const committed = (): Figures => JSON.parse(read(FIGURES_FILE)) as Figures
const FIX = 'stale figures: run `pnpm figures` to measure them again and write them'

describe('figures', () => {
  it('docs/figures.json holds the figures of the current build', async () => {
    expect(read(FIGURES_FILE), FIX).toBe(formatFigures(await measureFigures()))
  }, 300_000)

  it.each(DOCS)('%s quotes every marked figure as docs/figures.json holds it', (doc) => {
    const text = read(doc)
    const {stale, unknown} = fillFigures(text, committed())
    expect({stale, unknown}, FIX).toEqual({stale: [], unknown: []})
    // A line that begins with `<!--` is an HTML block to Markdown: the text after the marker would lose its formatting.
    const atLineStart = text.split('\n').filter((line) => /^<!-- figure [\w.]+ -->./.test(line))
    expect(atLineStart, 'a figure marker that starts a line (it may only precede a fenced block)').toEqual([])
  })

  it('the READMEs and the site mark the sizes and budgets they quote, and the CDN tag', () => {
    const size = ['index', 'shared', 'iterate', 'polling'].map((entry) => `client.size.${entry}`)
    const budgets = ['client.budget.index', 'client.budget.shared']
    const script = ['client.script.size', 'client.script.tag']
    expect(markedFigures(read('README.md'))).toEqual(['client.size.index'])
    expect(markedFigures(read('packages/client/README.md'))).toEqual(
      expect.arrayContaining([...size, 'client.size.polyfill', ...script]),
    )
    expect(markedFigures(read('docs/project/benchmarks.md'))).toEqual(
      expect.arrayContaining([...size, ...budgets, 'client.size.alone.HoldfastError', 'client.budget.alone']),
    )
    expect(markedFigures(read('docs/guide/environments.md'))).toEqual(
      expect.arrayContaining([...size, ...budgets, 'client.size.polyfill', 'client.size.alone.range', ...script]),
    )
  })

  it('fills the pages of the site as it fills the READMEs', () => {
    expect(DOCS).toEqual(expect.arrayContaining(['docs/guide/environments.md', 'docs/project/benchmarks.md']))
  })

  it("the client README's script tag loads this version's script-tag build from a CDN, with the built file's hash", () => {
    const {version} = JSON.parse(read('packages/client/package.json')) as {version: string}
    const built = readFileSync(join(root, 'packages/client/dist/holdfast.min.js'))
    const hash = `sha384-${createHash('sha384').update(built).digest('base64')}`
    const readme = read('packages/client/README.md')
    expect(readme).toContain(`  src="https://cdn.jsdelivr.net/npm/@holdfast/client@${version}/dist/holdfast.min.js"\n`)
    expect(readme).toContain(`  integrity="${hash}"\n`)
    expect(readme).toContain(`https://unpkg.com/@holdfast/client@${version}/dist/holdfast.min.js`)
  })

  it('finds a stale figure, inline or a fenced block, and a name that has no figure; fills them in place', () => {
    const figures = {client: {size: {index: '7.90 KB'}, script: {tag: '<script src="new.js"></script>'}}}
    const markdown = [
      'The main entry is <!-- figure client.size.index -->7.78 KB<!-- /figure -->; gone: <!-- figure client.gone -->1',
      'KB<!-- /figure -->.',
      '',
      '<!-- figure client.script.tag -->',
      '```html',
      '<script src="old.js"></script>',
      '```',
      '<!-- /figure -->',
    ].join('\n')
    const {text, stale, unknown} = fillFigures(markdown, figures)
    expect({stale, unknown}).toEqual({stale: ['client.size.index', 'client.script.tag'], unknown: ['client.gone']})
    expect(text).toBe(markdown.replace('7.78 KB', '7.90 KB').replace('old.js', 'new.js'))
    expect(fillFigures(text, figures)).toEqual({text, stale: [], unknown: ['client.gone']})
  })
})
