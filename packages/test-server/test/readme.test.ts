import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {defaultOptions, FAULT_TYPES} from '../src/index.js'
import {commands} from '../src/http/control.js'
import {USAGE} from '../src/cli-args.js'
import {MALFORMED_VARIANTS} from '../src/faults/parse.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

/** The rows of the Markdown table that follows `heading`, as arrays of cells. */
function table(heading: string): string[][] {
  const start = readme.indexOf(heading)
  expect(start, `README section ${heading}`).toBeGreaterThan(-1)
  const lines = readme.slice(start).split('\n')
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

describe('the README', () => {
  it('documents every option with the default the code uses', () => {
    const rows = new Map(table('## Options').map(([name, value]) => [name, value]))
    for (const [name, value] of Object.entries(defaultOptions))
      expect(rows.get(`\`${name}\``), name).toBe(written(value))
    for (const name of ['token', 'static', 'ticker', 'logger']) expect(rows.has(`\`${name}\``), name).toBe(true)
  })

  it('documents every fault type and malformed variant', () => {
    expect(table('### The vocabulary').map(([type]) => type)).toEqual(FAULT_TYPES.map((type) => `\`${type}\``))
    const variants = table('The `malformed` variants').map(([variant]) => variant?.replace(' (default)', ''))
    expect(variants).toEqual(MALFORMED_VARIANTS.map((variant) => `\`${variant}\``))
  })

  it('documents every control command', () => {
    const documented = table('## Control API').map(([request]) => request)
    for (const {method, path} of commands)
      expect(documented).toContain(`\`${method} /control${path ? `/${path}` : ''}\``)
  })

  it('shows the CLI help as the CLI prints it', () => {
    const options = USAGE.slice(USAGE.indexOf('  -p, --port'), USAGE.indexOf('\n\nPrints'))
    expect(readme).toContain(options)
  })
})
