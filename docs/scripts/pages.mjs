// The site's Markdown pages (the generated API reference aside), for the checks that read every page.
import {readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

/** The docs package's folder. */
export const DOCS_DIR = fileURLToPath(new URL('../', import.meta.url))

/** Folders that hold no hand-written page: dependencies, VitePress's own, TypeDoc's output, tests and scripts. */
const SKIP = new Set(['node_modules', '.vitepress', 'api', 'test', 'scripts'])

/** Every hand-written page, as a path relative to the docs folder (`guide/usage.md`), sorted. */
export function docsPages(dir = '') {
  const pages = []
  for (const name of readdirSync(join(DOCS_DIR, dir))) {
    const path = dir ? `${dir}/${name}` : name
    if (statSync(join(DOCS_DIR, path)).isDirectory()) {
      if (!SKIP.has(name)) pages.push(...docsPages(path))
    } else if (name.endsWith('.md') && name !== 'README.md') pages.push(path)
  }
  return pages.sort()
}
