import {existsSync, readFileSync} from 'node:fs'
import {defineConfig, type DefaultTheme} from 'vitepress'
import {fillFigures} from '../../scripts/figures.mjs'

/** Where the site is published; the READMEs link into it by absolute URL (npm shows a README alone). */
export const SITE = 'https://holdfast-sse.github.io/holdfast/'
const REPOSITORY = 'https://github.com/holdfast-sse/holdfast'

/** The API reference's sidebar, written by TypeDoc (`pnpm --filter @holdfast/docs api`) before every build. */
function apiSidebar(): DefaultTheme.SidebarItem[] {
  const file = new URL('../api/typedoc-sidebar.json', import.meta.url)
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : []
}

/** The figures `pnpm figures` measured from the build (sizes, budgets, the script tag), for the marked spots. */
const figures = JSON.parse(readFileSync(new URL('../figures.json', import.meta.url), 'utf8'))

const guide: DefaultTheme.SidebarItem[] = [
  {
    text: 'Introduction',
    items: [
      {text: 'Getting started', link: '/guide/'},
      {text: 'The demo', link: '/guide/demo'},
    ],
  },
  {
    text: 'Using the client',
    items: [
      {text: 'Environments and entries', link: '/guide/environments'},
      {text: 'Usage', link: '/guide/usage'},
      {text: 'Typed streams', link: '/guide/usage#typed-streams'},
      {text: 'Options', link: '/guide/options'},
      {text: 'Reconnection semantics', link: '/guide/reconnection'},
      {text: 'Redirects and headers', link: '/guide/redirects'},
      {text: 'Extensions to the spec', link: '/guide/extensions'},
      {text: 'Errors', link: '/guide/errors'},
      {text: 'Long polling', link: '/guide/long-polling'},
      {text: 'Many tabs on one origin', link: '/guide/many-tabs'},
      {text: 'Sharing across tabs', link: '/guide/sharing'},
      {text: 'Async iteration', link: '/guide/iteration'},
      {text: 'Browser engines', link: '/guide/engines'},
    ],
  },
  {text: 'React', items: [{text: 'useEventSource', link: '/guide/react'}]},
  {text: 'Testing your app', items: [{text: 'msw and the test server', link: '/guide/testing'}]},
]

const testServer: DefaultTheme.SidebarItem[] = [
  {
    text: 'Test server',
    items: [
      {text: 'Quick start', link: '/test-server/'},
      {text: 'Playwright', link: '/test-server/playwright'},
      {text: 'Options', link: '/test-server/options'},
      {text: 'Streams and tickers', link: '/test-server/streams'},
      {text: 'Long polling', link: '/test-server/long-polling'},
      {text: 'HTTP/2', link: '/test-server/http2'},
      {text: 'Faults', link: '/test-server/faults'},
      {text: 'Introspection', link: '/test-server/introspection'},
      {text: 'Control API', link: '/test-server/control-api'},
      {text: 'Errors', link: '/test-server/errors'},
      {text: 'Security', link: '/test-server/security'},
      {text: 'CORS', link: '/test-server/cors'},
      {text: 'Static files', link: '/test-server/static-files'},
      {text: 'Metrics', link: '/test-server/metrics'},
      {text: 'Production behaviour', link: '/test-server/production'},
      {text: 'A fleet on Redis', link: '/test-server/fleet'},
      {text: 'CLI', link: '/test-server/cli'},
      {text: 'Capacity', link: '/test-server/capacity'},
    ],
  },
]

const project: DefaultTheme.SidebarItem[] = [
  {
    text: 'The project',
    items: [
      {text: 'End-to-end tests', link: '/project/e2e'},
      {text: 'Benchmarks', link: '/project/benchmarks'},
      {text: 'Developing', link: '/project/developing'},
    ],
  },
]

export default defineConfig({
  title: 'Holdfast',
  description: 'A drop-in EventSource that survives real networks, a fault-injecting SSE test server, and the proof.',
  base: new URL(SITE).pathname,
  cleanUrls: true,
  // A dead link anywhere fails the build (VitePress's default, said here so that nobody turns it off by accident).
  // Anchors and the READMEs' links into the site are checked after the build (scripts/check-links.mjs).
  ignoreDeadLinks: false,
  srcExclude: ['**/README.md', 'test/**', 'scripts/**', 'node_modules/**'],
  // The API reference is generated (docs/api/ is not in the repository): nothing there to edit on GitHub.
  transformPageData(pageData) {
    if (pageData.relativePath.startsWith('api/')) pageData.frontmatter.editLink = false
  },
  markdown: {
    config(md) {
      // The figures of the marked spots, as the build measured them (pnpm test also fails on a stale one).
      md.core.ruler.before('normalize', 'holdfast-figures', (state) => {
        state.src = fillFigures(state.src, figures).text
      })
    },
  },
  themeConfig: {
    nav: [
      {text: 'Guide', link: '/guide/', activeMatch: '^/guide/'},
      {text: 'Test server', link: '/test-server/', activeMatch: '^/test-server/'},
      {text: 'Project', link: '/project/e2e', activeMatch: '^/project/'},
      {text: 'API', link: '/api/', activeMatch: '^/api/'},
    ],
    sidebar: {
      '/guide/': guide,
      '/test-server/': testServer,
      '/project/': project,
      '/api/': [{text: 'API reference', link: '/api/', items: apiSidebar()}],
    },
    socialLinks: [{icon: 'github', link: REPOSITORY}],
    editLink: {pattern: `${REPOSITORY}/edit/main/docs/:path`},
    outline: [2, 3],
    search: {provider: 'local'},
  },
})
