import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {readReadme} from '../../../scripts/readme/blocks.js'
import {typecheckReadme} from '../../../scripts/readme/typecheck.js'
import {defaultOptions} from '../src/index'
import type {HoldfastEventSourceInit} from '../src/index'

const path = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url))
/** The package's README: the front door, on npm as on GitHub. */
const readme = readFileSync(path('../README.md'), 'utf8')
/** The documentation site's page of options: the reference. */
const optionsPage = readFileSync(path('../../../docs/guide/options.md'), 'utf8')

/** The options page's table as `name → default cell`. */
function documentedDefaults(): Map<string, string> {
  const rows = new Map<string, string>()
  for (const match of optionsPage.matchAll(/^\| `(\w+)`\s*\| ([^|]+?)\s*\|/gm)) rows.set(match[1]!, match[2]!)
  return rows
}

/** A default cell as a value, for cells that hold a literal (`1000`, `'GET'`, `[408, 429]`, `Infinity`). */
function literal(cell: string): unknown {
  const code = /^`(.+)`$/.exec(cell)?.[1]
  if (code === undefined) return undefined
  if (code === 'Infinity') return Infinity
  return JSON.parse(code.replace(/'/g, '"'))
}

describe('the options page and the README', () => {
  const documented = documentedDefaults()

  it('documents every option of HoldfastEventSourceInit, and nothing else', () => {
    const options: Record<keyof HoldfastEventSourceInit, true> = {
      withCredentials: true,
      headers: true,
      method: true,
      body: true,
      fetch: true,
      lastEventId: true,
      lastEventIdIn: true,
      lastEventIdParam: true,
      persistLastEventId: true,
      idleTimeout: true,
      retryDelay: true,
      backoffFactor: true,
      maxRetryDelay: true,
      jitter: true,
      maxAttempts: true,
      stableAfter: true,
      retryStatuses: true,
      maxRetryAfter: true,
      shouldRetry: true,
      retryNonGet: true,
      dedupe: true,
      maxEventSize: true,
      networkAware: true,
      pauseWhenHidden: true,
      environment: true,
      random: true,
      transport: true,
      signal: true,
      parse: true,
    }
    expect([...documented.keys()].sort()).toEqual(Object.keys(options).sort())
  })

  it.each(Object.entries(defaultOptions))('states the default of %s exactly as the code has it', (name, value) => {
    const cell = documented.get(name)
    expect(cell, `options page row for ${name}`).toBeDefined()
    expect(literal(cell!)).toEqual(value)
  })

  it('shows how to install it', () => {
    expect(readme).toContain('npm install @holdfast/client')
  })
})

describe('the code blocks', () => {
  it.each([
    ['the client README', '../README.md', 4],
    ['the root README', '../../../README.md', 1],
  ])(
    'of %s compile as pasted (strict TypeScript)',
    (_name, relative, atLeast) => {
      const readme = readReadme(path(relative))
      expect(readme.blocks.length).toBeGreaterThanOrEqual(atLeast)
      expect(typecheckReadme(readme, path('..'))).toEqual([])
    },
    60_000,
  )
})
