// The dead-link checks that run after the site's build (scripts/check-links.mjs), on a small site and repository of
// their own: what they must find, and what they must let through.
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {deadMarkdownLinks, deadSiteLinks, GITHUB, githubSlug, readSite} from '../scripts/links.mjs'

const root = mkdtempSync(join(tmpdir(), 'holdfast-links-'))
afterAll(() => rmSync(root, {recursive: true, force: true}))

function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), {recursive: true})
  writeFileSync(join(root, path), text)
}

const SITE = 'https://example.github.io/docs/'
const page = (body: string): string => `<!doctype html><html><body><div id="app">${body}</div></body></html>`

// The built site, as VitePress writes it with cleanUrls under the base /docs/.
write('dist/index.html', page('<a href="/docs/guide/">Guide</a><a href="https://example.org/">out</a>'))
write(
  'dist/guide/index.html',
  page(
    [
      '<h1 id="getting-started">Getting started</h1>',
      '<a href="./usage#subscribe">live</a>',
      '<a href="/docs/guide/usage#unsubscribe">dead anchor</a>',
      '<a href="/docs/guide/missing">dead page</a>',
      '<a href="#getting-started">same page</a>',
      '<a href="#nowhere">dead on the same page</a>',
      '<a href="/docs/assets/app.js">asset</a>',
      '<a href="/docs/assets/gone.js">dead asset</a>',
    ].join(''),
  ),
)
write('dist/guide/usage.html', page('<h2 id="subscribe">Subscribe</h2><a href="../">up</a>'))
write('dist/assets/app.js', '')
// The repository around it.
write('packages/client/src/index.ts', '')
write('examples/react/README.md', "# examples/react\n\n## Unit tests: msw's `sse()`\n\n```sh\n# not a heading\n```\n")
write(
  'README.md',
  [
    `[live page](${SITE}guide/usage#subscribe) [dead anchor](${SITE}guide/usage#gone) [dead page](${SITE}nope)`,
    `[file](${GITHUB}/blob/main/packages/client/src/index.ts) [gone](${GITHUB}/blob/main/packages/client/src/gone.ts)`,
    `[heading](${GITHUB}/tree/main/examples/react#unit-tests-msws-sse)`,
    `[no heading](${GITHUB}/tree/main/examples/react#not-a-heading)`,
    '[relative](examples/react/README.md) [relative, dead](examples/vue/README.md) [elsewhere](https://example.org/x)',
    '',
    '```md',
    `[in a code block](${SITE}not-checked)`,
    '```',
  ].join('\n'),
)
write('docs/guide/page.md', `[a page](./usage) [a file](${GITHUB}/blob/main/packages/client/src/nope.ts)`)

describe('the site', () => {
  const site = readSite(join(root, 'dist'), '/docs/')

  it('reads every page with its ids', () => {
    expect([...site.pages.keys()].sort()).toEqual(['/docs/', '/docs/guide/', '/docs/guide/usage'])
    expect(site.pages.get('/docs/guide/usage')?.ids).toEqual(new Set(['app', 'subscribe']))
  })

  it('finds a link to a missing page, a missing anchor, or a missing asset, and nothing else', () => {
    expect(deadSiteLinks(site)).toEqual([
      'guide/index.html: /docs/guide/usage#unsubscribe (no #unsubscribe on guide/usage.html)',
      'guide/index.html: /docs/guide/missing (no such page)',
      'guide/index.html: #nowhere (no #nowhere on guide/index.html)',
      'guide/index.html: /docs/assets/gone.js (no such file in the build)',
    ])
  })
})

describe('the Markdown around the site', () => {
  const site = readSite(join(root, 'dist'), '/docs/')
  const dead = deadMarkdownLinks(['README.md', 'docs/guide/page.md'], {root, site, siteUrl: SITE, siteSources: 'docs/'})

  it("finds dead links into the site, to the repository's files and headings on GitHub, and relative ones", () => {
    expect(dead).toEqual([
      `README.md: ${SITE}guide/usage#gone (no #gone on guide/usage.html)`,
      `README.md: ${SITE}nope (no such page)`,
      `README.md: ${GITHUB}/blob/main/packages/client/src/gone.ts (no such file in the repository)`,
      `README.md: ${GITHUB}/tree/main/examples/react#not-a-heading (no #not-a-heading in examples/react/README.md)`,
      'README.md: examples/vue/README.md (no such file in the repository)',
      `docs/guide/page.md: ${GITHUB}/blob/main/packages/client/src/nope.ts (no such file in the repository)`,
    ])
  })

  it('names headings as GitHub does', () => {
    expect(githubSlug("Unit tests: msw's `sse()`")).toBe('unit-tests-msws-sse')
    expect(githubSlug('Many tabs on one origin: HTTP/2, sharing one stream across tabs, or both')).toBe(
      'many-tabs-on-one-origin-http2-sharing-one-stream-across-tabs-or-both',
    )
  })
})
