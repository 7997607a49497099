// Dead links, found where a reader would follow them. VitePress's build fails on a link to a page that does not exist;
// these checks add what it leaves out: the `#anchor` of every link between the built pages (the API reference's
// included), the links of the repository's Markdown (READMEs, CHANGELOGs) into the published site, and the links to
// files of the repository on GitHub, with their anchors when they point into a Markdown file.
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'

/** The repository on GitHub: links to `${GITHUB}/blob/main/<path>` or `/tree/main/<path>` must name a file of it. */
export const GITHUB = 'https://github.com/holdfast-sse/holdfast'

const ENTITIES = {'&amp;': '&', '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>'}
const decode = (text) => text.replace(/&(amp|quot|#39|lt|gt);/g, (entity) => ENTITIES[entity])

/** Every `.html` file under `dir`, as paths relative to it. */
function htmlFiles(dir, under = '') {
  const files = []
  for (const name of readdirSync(join(dir, under))) {
    const path = under ? `${under}/${name}` : name
    if (statSync(join(dir, path)).isDirectory()) files.push(...htmlFiles(dir, path))
    else if (name.endsWith('.html')) files.push(path)
  }
  return files
}

/**
 * The built site, read once: each page by its URL path (`/holdfast/guide/usage`, `/holdfast/guide/` for an index),
 * with the ids an anchor can name and the links it holds.
 */
export function readSite(dist, base) {
  const pages = new Map()
  for (const file of htmlFiles(dist)) {
    const html = readFileSync(join(dist, file), 'utf8')
    const path = base + file.replace(/(^|\/)index\.html$/, '$1').replace(/\.html$/, '')
    const ids = new Set([...html.matchAll(/\sid="([^"]*)"/g)].map((match) => decode(match[1])))
    const links = [...html.matchAll(/<a\s[^>]*?href="([^"]*)"/g)].map((match) => decode(match[1]))
    pages.set(path, {file, ids, links})
  }
  return {dist, base, pages}
}

/** Why `url` (absolute, on the site's origin) is dead in `site`, or undefined when it leads somewhere. */
function deadOnSite(site, url) {
  const path = decodeURIComponent(url.pathname)
  if (!path.startsWith(site.base)) return `outside the site's base ${site.base}`
  // Assets (scripts, styles, images) are files of the build.
  if (/\.[a-z0-9]+$/i.test(path) && !path.endsWith('.html')) {
    return existsSync(join(site.dist, path.slice(site.base.length))) ? undefined : 'no such file in the build'
  }
  const page = site.pages.get(path.replace(/\.html$/, '')) ?? site.pages.get(`${path}/`)
  if (!page) return 'no such page'
  const anchor = decodeURIComponent(url.hash.slice(1))
  if (anchor && !page.ids.has(anchor)) return `no #${anchor} on ${page.file}`
  return undefined
}

/** The dead links between the pages of the built site, as `page: link (why)`. */
export function deadSiteLinks(site) {
  const dead = []
  const origin = 'http://site.invalid'
  for (const [path, page] of site.pages) {
    for (const link of page.links) {
      const url = new URL(link, origin + path)
      if (url.origin !== origin) continue
      const why = deadOnSite(site, url)
      if (why) dead.push(`${page.file}: ${link} (${why})`)
    }
  }
  return dead
}

/** GitHub's id for a heading: lower case, punctuation dropped, spaces as hyphens (duplicates are not numbered here). */
export const githubSlug = (heading) =>
  heading
    .replace(/`/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')

/** The ids GitHub gives the headings of a Markdown file (fenced code skipped). */
function githubAnchors(markdown) {
  const ids = new Set()
  let fenced = false
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced
    const heading = !fenced && /^#{1,6} (.*)$/.exec(line)
    if (heading) ids.add(githubSlug(heading[1].trim()))
  }
  return ids
}

/** Why a link to `path` (with its `#anchor`) in the repository at `root` is dead, or undefined. */
function deadInRepository(root, path, anchor) {
  const file = resolve(root, path)
  if (!file.startsWith(resolve(root)) || !existsSync(file)) return 'no such file in the repository'
  if (!anchor) return undefined
  const markdown = statSync(file).isDirectory() ? join(file, 'README.md') : file
  if (!markdown.endsWith('.md') || !existsSync(markdown)) return undefined
  return githubAnchors(readFileSync(markdown, 'utf8')).has(anchor)
    ? undefined
    : `no #${anchor} in ${relative(root, markdown)}`
}

/**
 * The dead links of Markdown files outside the site (READMEs, CHANGELOGs…), as `file: link (why)`: links into the
 * published site (`siteUrl`) are looked up in the built `site`, links to the repository on GitHub and relative links
 * in the repository at `root`. The site's own sources (under `siteSources`) have their relative links checked in the
 * build instead: there they lead to pages, not files.
 */
export function deadMarkdownLinks(files, {root, site, siteUrl, siteSources}) {
  const dead = []
  for (const file of files) {
    const markdown = readFileSync(join(root, file), 'utf8').replace(/^```[\s\S]*?^```/gm, '')
    for (const match of markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const link = match[1]
      let why
      if (link.startsWith(siteUrl)) {
        const url = new URL(link)
        why = deadOnSite(site, new URL(url.pathname + url.hash, 'http://site.invalid'))
      } else if (link.startsWith(`${GITHUB}/blob/main/`) || link.startsWith(`${GITHUB}/tree/main/`)) {
        const [path, anchor] = link.slice(`${GITHUB}/blob/main/`.length).split('#')
        why = deadInRepository(root, decodeURIComponent(path), anchor)
      } else if (!/^[a-z][a-z0-9+.-]*:/i.test(link) && !file.startsWith(siteSources)) {
        const [path, anchor] = link.split('#')
        why = deadInRepository(root, path ? join(dirname(file), path) : file, anchor)
      }
      if (why) dead.push(`${file}: ${link} (${why})`)
    }
  }
  return dead
}
