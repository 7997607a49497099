import type {ChannelScope} from '@holdfast/test-server'
import {fast, test as base} from '../fixtures'
import {routes, startNginx, type Nginx} from './nginx'

/** The e2e `test` with an `nginx` in front of the worker's test server (HTTP/1.1 servers only). */
export const test = base.extend<object, {nginx: Nginx}>({
  // One nginx per worker, in front of that worker's test server, started for the first test that needs it.
  nginx: [
    async ({sseServer}, use) => {
      const nginx = await startNginx(sseServer.url)
      await use(nginx)
      await nginx.stop()
    },
    {scope: 'worker'},
  ],
})

/** The URL of the test's channel through one of nginx's routes, with the tests' 50 ms `retry:`. */
export function proxied(
  nginx: Nginx,
  route: keyof typeof routes,
  sse: ChannelScope,
  query: Record<string, string> = {},
): string {
  const url = new URL(`${routes[route]}${sse.channel}`, nginx.url)
  for (const [name, value] of Object.entries({retryMs: String(fast.retryDelay), ...query}))
    url.searchParams.set(name, value)
  return url.href
}
