// After `vitepress build` (the docs package's `build`, which `pnpm test` runs): fails on a dead link in the built
// site (an anchor VitePress does not check) or in the repository's Markdown (a README's link into the site, a link to
// a file of the repository on GitHub). Each dead link is printed with where it is and why.
import {readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {deadMarkdownLinks, deadSiteLinks, readSite} from './links.mjs'
import {SITE} from './site.mjs'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const DIST = fileURLToPath(new URL('../.vitepress/dist/', import.meta.url))

/** The Markdown a reader meets outside the site, and the site's sources (for their links to GitHub). */
function markdownFiles() {
  const files = readdirSync(ROOT).filter((name) => name.endsWith('.md'))
  for (const dir of ['packages', 'examples']) {
    for (const name of readdirSync(join(ROOT, dir))) {
      if (!statSync(join(ROOT, dir, name)).isDirectory()) continue
      files.push(
        ...readdirSync(join(ROOT, dir, name))
          .filter((f) => f.endsWith('.md'))
          .map((f) => `${dir}/${name}/${f}`),
      )
    }
  }
  const walk = (dir) => {
    for (const name of readdirSync(join(ROOT, dir))) {
      if (['node_modules', 'api', '.vitepress'].includes(name)) continue
      const path = `${dir}/${name}`
      if (statSync(join(ROOT, path)).isDirectory()) walk(path)
      else if (name.endsWith('.md')) files.push(path)
    }
  }
  walk('docs')
  return files
}

const site = readSite(DIST, new URL(SITE).pathname)
const dead = [
  ...deadSiteLinks(site),
  ...deadMarkdownLinks(markdownFiles(), {root: ROOT, site, siteUrl: SITE, siteSources: 'docs/'}),
]
for (const link of dead) console.error(`dead link: ${link}`)
console.log(`links: ${site.pages.size} pages checked, ${dead.length} dead link${dead.length === 1 ? '' : 's'}`)
process.exitCode = dead.length > 0 ? 1 : 0
