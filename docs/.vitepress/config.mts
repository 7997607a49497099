import {existsSync, readFileSync} from 'node:fs'
import {defineConfig, type DefaultTheme} from 'vitepress'

/** The API reference's sidebar, written by TypeDoc (`pnpm --filter @holdfast/docs api`) before every build. */
function apiSidebar(): DefaultTheme.SidebarItem[] {
  const file = new URL('../api/typedoc-sidebar.json', import.meta.url)
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : []
}

export default defineConfig({
  title: 'Holdfast',
  description: 'A drop-in EventSource that survives real networks, a fault-injecting SSE test server, and the proof.',
  cleanUrls: true,
  // A dead link anywhere fails the build (VitePress's default, said here so that nobody turns it off by accident).
  ignoreDeadLinks: false,
  srcExclude: ['**/README.md', 'test/**', 'node_modules/**'],
  themeConfig: {
    nav: [
      {text: 'Guide', link: '/guide/'},
      {text: 'API', link: '/api/'},
    ],
    sidebar: {
      '/api/': [{text: 'API reference', link: '/api/', items: apiSidebar()}],
    },
    search: {provider: 'local'},
  },
})
