// The figures the docs quote, measured from the build in one place: the client's sizes and budgets (scripts/size.mjs)
// and the script-tag build's CDN tag with its integrity hash. `pnpm figures` writes them to docs/figures.json and into
// every marked spot of the docs; `scripts/figures.test.ts` (in `pnpm test`) fails when either is stale.
//
// A figure is marked in Markdown as `<!-- figure client.size.index -->7.78 KB<!-- /figure -->`: the text between the
// markers is the figure's value (never start a line with a marker: a line that begins with `<!--` is raw HTML to
// Markdown). Around a fenced code block, the block's body is the value. A docs site fills the same markers from
// docs/figures.json with `fillFigures`, e.g. in a markdown-it rule that runs before parsing.
import {createHash} from 'node:crypto'
import {readFileSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {gzipSync} from 'node:zlib'
import {docsPages} from '../docs/scripts/pages.mjs'
import {ALONE, BUDGETS, kb, measureSizes} from './size.mjs'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
/** Where the figures are written, for the docs and anything else that quotes them. */
export const FIGURES_FILE = 'docs/figures.json'
/** The files whose marked figures `pnpm figures` fills, relative to the repository's root: READMEs and site pages. */
export const DOCS = [
  'README.md',
  'packages/client/README.md',
  'packages/react/README.md',
  'packages/test-server/README.md',
  ...docsPages().map((page) => `docs/${page}`),
]
/** The script-tag build, as the client's package holds it. */
export const SCRIPT = 'dist/holdfast.min.js'

/** A budget as the docs say it: `7.8 KB`. */
const budget = (bytes) => `${bytes / 1000} KB`
/** A Subresource Integrity value: the file's SHA-384, base64. */
export const integrity = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`

/** The tag that loads the script-tag build from `url`, which the browser checks against `hash`. */
const scriptTag = (url, hash) => `<script\n  src="${url}"\n  integrity="${hash}"\n  crossorigin="anonymous"\n></script>`

/** Every figure, as the text the docs show, from the build in the workspace. */
export async function measureFigures() {
  const client = `${ROOT}packages/client/`
  const {version} = JSON.parse(readFileSync(`${client}package.json`, 'utf8'))
  const sizes = await measureSizes()
  const file = readFileSync(`${client}${SCRIPT}`)
  const hash = integrity(file)
  const cdn = (host) => `${host}/@holdfast/client@${version}/${SCRIPT}`
  const alone = Object.values(sizes.alone)
  return {
    client: {
      version,
      size: {
        index: kb(sizes.index),
        shared: kb(sizes.shared),
        iterate: kb(sizes.iterate),
        polling: kb(sizes.polling),
        parse: kb(sizes.parse),
        polyfill: kb(sizes.polyfill),
        alone: {
          ...Object.fromEntries(Object.entries(sizes.alone).map(([name, bytes]) => [name, kb(bytes)])),
          range: `${kb(Math.min(...alone)).replace(' KB', '')}–${kb(Math.max(...alone))}`,
        },
      },
      budget: {index: budget(BUDGETS.index), shared: budget(BUDGETS.shared), alone: budget(ALONE.budget)},
      script: {
        file: SCRIPT,
        size: kb(gzipSync(file, {level: 9}).length),
        integrity: hash,
        jsdelivr: cdn('https://cdn.jsdelivr.net/npm'),
        unpkg: cdn('https://unpkg.com'),
        tag: scriptTag(cdn('https://cdn.jsdelivr.net/npm'), hash),
      },
    },
  }
}

/** The value at a dotted path (`client.size.index`), or undefined. */
function valueAt(figures, path) {
  const value = path.split('.').reduce((node, key) => (node === undefined ? undefined : node[key]), figures)
  return typeof value === 'string' ? value : undefined
}

const MARKED = /<!-- figure ([\w.]+) -->([\s\S]*?)<!-- \/figure -->/g
const FENCED = /^(\n```[^\n]*\n)([\s\S]*)(\n```\n)$/

/**
 * `markdown` with every marked figure set to its value in `figures`; `stale` names the figures whose text changed,
 * `unknown` the marked names that `figures` does not have (their text is kept).
 */
export function fillFigures(markdown, figures) {
  const stale = []
  const unknown = []
  const text = markdown.replace(MARKED, (marked, name, current) => {
    const value = valueAt(figures, name)
    if (value === undefined) {
      unknown.push(name)
      return marked
    }
    const fence = FENCED.exec(current)
    const filled = fence ? `${fence[1]}${value}${fence[3]}` : value
    if (filled !== current) stale.push(name)
    return `<!-- figure ${name} -->${filled}<!-- /figure -->`
  })
  return {text, stale, unknown}
}

/** The names of the figures marked in `markdown`. */
export const markedFigures = (markdown) => [...markdown.matchAll(MARKED)].map((match) => match[1])

export const formatFigures = (figures) => `${JSON.stringify(figures, null, 2)}\n`

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await measureFigures()
  writeFileSync(`${ROOT}${FIGURES_FILE}`, formatFigures(figures))
  let failed = false
  for (const doc of DOCS) {
    const {text, stale, unknown} = fillFigures(readFileSync(`${ROOT}${doc}`, 'utf8'), figures)
    writeFileSync(`${ROOT}${doc}`, text)
    if (stale.length > 0) console.log(`figures: ${doc}: updated ${stale.join(', ')}`)
    if (unknown.length > 0) console.error(`figures: ${doc}: no figure named ${unknown.join(', ')}`)
    failed ||= unknown.length > 0
  }
  console.log(`figures: ${FIGURES_FILE} written (main entry ${figures.client.size.index})`)
  process.exitCode = failed ? 1 : 0
}
