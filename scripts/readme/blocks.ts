// The code blocks of a README, for the tests that type-check and run them as pasted.
//
// A README marks them with HTML comments, which npm and GitHub do not show:
// - `<!-- readme-test prelude` … `-->`: TypeScript declarations of the names its fragments use without defining
//   them (`declare function render(data: unknown): void`); one per README, visible to every block.
// - `<!-- readme-test: run -->` on the line before a fence: the block also runs, as a Node script that must exit.
// - `<!-- readme-test: playwright -->`: the block is a Playwright spec; the e2e suite runs it.
// Every other ```ts, ```tsx and ```js block is type-checked (strict, noUncheckedIndexedAccess), each as a module of
// its own.
import {readFileSync} from 'node:fs'

export type BlockMode = 'check' | 'run' | 'playwright'

export interface ReadmeBlock {
  lang: 'ts' | 'tsx' | 'js'
  code: string
  /** The line of the opening fence (1-based), to name the block in errors. */
  line: number
  mode: BlockMode
}

export interface Readme {
  path: string
  prelude: string
  blocks: ReadmeBlock[]
}

const FENCE = /^```(ts|tsx|js)\s*$/
const DIRECTIVE = /^<!-- readme-test: (run|playwright) -->$/

/** Reads a README's prelude and its TypeScript and JavaScript blocks. */
export function readReadme(path: string): Readme {
  const lines = readFileSync(path, 'utf8').split('\n')
  const blocks: ReadmeBlock[] = []
  let prelude = ''
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line.trim() === '<!-- readme-test prelude') {
      const end = lines.indexOf('-->', i)
      if (end < 0) throw new Error(`${path}:${i + 1}: the readme-test prelude is never closed`)
      prelude = lines.slice(i + 1, end).join('\n')
      i = end
      continue
    }
    const fence = FENCE.exec(line)
    if (!fence) continue
    const end = lines.indexOf('```', i + 1)
    if (end < 0) throw new Error(`${path}:${i + 1}: a code block is never closed`)
    const directive = DIRECTIVE.exec(lines[i - 1]?.trim() ?? '')
    blocks.push({
      lang: fence[1] as ReadmeBlock['lang'],
      code: lines.slice(i + 1, end).join('\n'),
      line: i + 1,
      mode: (directive?.[1] as BlockMode | undefined) ?? 'check',
    })
    i = end
  }
  return {path, prelude, blocks}
}

/** Relative links of a Markdown text (`[text](target)`), without their `#fragment`: what npm would show dead. */
export function relativeLinks(markdown: string): string[] {
  const links: string[] = []
  for (const match of markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1]!
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue
    links.push(target.split('#')[0]!)
  }
  return links
}
