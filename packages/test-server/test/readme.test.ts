import {existsSync, readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {readReadme} from '../../../scripts/readme/blocks.js'
import {runBlock} from '../../../scripts/readme/run.js'
import {typecheckReadme} from '../../../scripts/readme/typecheck.js'
import {defaultOptions, FAULT_TYPES} from '../src/index.js'
import {commands} from '../src/http/control.js'
import {USAGE} from '../src/cli-args.js'
import {MALFORMED_VARIANTS} from '../src/faults/parse.js'

/** A page of the documentation site's test server reference (docs/test-server/). */
const page = (name: string): string =>
  readFileSync(new URL(`../../../docs/test-server/${name}`, import.meta.url), 'utf8')

/** The rows of the Markdown table that follows `heading` on `page`, as arrays of cells. */
function table(text: string, heading: string): string[][] {
  const start = text.indexOf(heading)
  expect(start, `section ${heading}`).toBeGreaterThan(-1)
  const lines = text.slice(start).split('\n')
  const first = lines.findIndex((line) => line.startsWith('|'))
  const rows: string[][] = []
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break
    rows.push(
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
  }
  return rows
}

/** How a default is written in the options table. */
function written(value: unknown): string {
  if (typeof value === 'string') return `\`'${value}'\``
  if (typeof value === 'object' && value !== null)
    return `\`{${Object.entries(value)
      .map(([k, v]) => `${k}: '${String(v)}'`)
      .join(', ')}}\``
  return `\`${String(value)}\``
}

describe('the reference', () => {
  it('documents every option with the default the code uses', () => {
    const rows = new Map(table(page('options.md'), '# Options').map(([name, value]) => [name, value]))
    for (const [name, value] of Object.entries(defaultOptions))
      expect(rows.get(`\`${name}\``), name).toBe(written(value))
    for (const name of ['token', 'static', 'ticker', 'logger']) expect(rows.has(`\`${name}\``), name).toBe(true)
  })

  it('documents every fault type and malformed variant', () => {
    const faults = page('faults.md')
    expect(table(faults, '## The vocabulary').map(([type]) => type)).toEqual(FAULT_TYPES.map((type) => `\`${type}\``))
    const variants = table(faults, 'The `malformed` variants').map(([variant]) => variant?.replace(' (default)', ''))
    expect(variants).toEqual(MALFORMED_VARIANTS.map((variant) => `\`${variant}\``))
  })

  it('documents every control command', () => {
    const documented = table(page('control-api.md'), '# Control API').map(([request]) => request)
    for (const {method, path} of commands)
      expect(documented).toContain(`\`${method} /control${path ? `/${path}` : ''}\``)
  })

  it('shows the CLI help as the CLI prints it', () => {
    const options = USAGE.slice(USAGE.indexOf('  -p, --port'), USAGE.indexOf('\n\nPrints'))
    expect(page('cli.md')).toContain(options)
  })
})

describe('the code blocks', () => {
  const path = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url))
  const blocks = readReadme(path('../README.md'))

  it('compile as pasted (strict TypeScript)', () => {
    expect(blocks.blocks.length).toBeGreaterThanOrEqual(2)
    expect(blocks.blocks.filter((block) => block.mode === 'playwright')).toHaveLength(1) // run by the e2e suite
    expect(typecheckReadme(blocks, path('..'))).toEqual([])
  }, 60_000)

  it('run as a Node script when marked so: the quick start prints what it says, and exits by itself', () => {
    for (const file of ['../dist/index.js', '../../client/dist/index.js'])
      expect(existsSync(path(file)), `${file} is missing: run the build first`).toBe(true)
    const quickStart = blocks.blocks.filter((block) => block.mode === 'run')
    expect(quickStart).toHaveLength(1)
    const run = runBlock(quickStart[0]!, 20_000)
    expect(run, run.stderr).toMatchObject({status: 0, signal: null})
    expect(run.stdout).toBe('2\n')
  }, 30_000)
})
