import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {readReadme} from '../../../scripts/readme/blocks.js'
import {typecheckReadme} from '../../../scripts/readme/typecheck.js'

const path = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url))

describe('the README', () => {
  it('has code blocks that compile as pasted (strict TypeScript)', () => {
    const readme = readReadme(path('../README.md'))
    expect(readme.blocks.length).toBeGreaterThanOrEqual(4)
    expect(typecheckReadme(readme, path('..'))).toEqual([])
  }, 60_000)
})
