import {test as base, expect, type Fixtures} from '@playwright/test'
import {TestServerError} from './errors.js'
import {createTestServer} from './server.js'
import type {ChannelScope, TestServer, TestServerOptions} from './types.js'

/** Fixtures shared by every test of a worker. */
export interface SseWorkerFixtures {
  /**
   * Options of the worker's server. An option fixture: set it in the config's `use` or with `test.use()` at the top
   * level of a file (it is worker-scoped, so not inside a `describe`). @defaultValue `{}`
   */
  sseServerOptions: TestServerOptions
  /** One test server per worker, started on first use and closed when the worker ends. */
  sseServer: TestServer
}

/** Fixtures of one test. */
export interface SseTestFixtures {
  /**
   * A unique channel of the worker's server for this test. After the test its faults are cleared, its ticker is
   * stopped, its streams are ended and it is forgotten; if the test failed, its connections and faults are attached
   * to the report as `sse-connections.json`.
   */
  sse: ChannelScope
}

/** The fixture definitions, to add to a `test` of your own: `base.extend(sseFixtures)`. */
export const sseFixtures: Fixtures<SseTestFixtures, SseWorkerFixtures> = {
  sseServerOptions: [{}, {scope: 'worker', option: true}],
  sseServer: [
    async ({sseServerOptions}, use) => {
      if (sseServerOptions.redis !== undefined)
        throw new TestServerError(
          'invalid-option',
          'Invalid test server option: the Playwright fixture runs one server per worker and does not take `redis`; ' +
            'start the servers of a fleet with createTestServer({redis}) in a fixture of your own',
        )
      const server = await createTestServer({...sseServerOptions, redis: undefined})
      await use(server)
      await server.close()
    },
    {scope: 'worker'},
  ],
  sse: async ({sseServer}, use, testInfo) => {
    // Unique per test, retry and repetition, so parallel workers and retries never share a channel.
    const scope = sseServer.scope(`pw-${testInfo.testId}-r${testInfo.retry}-x${testInfo.repeatEachIndex}`)
    await use(scope)
    if (testInfo.status !== testInfo.expectedStatus) {
      const report = {
        channel: scope.channel,
        connections: scope.connections(),
        faults: sseServer.faults().filter((fault) => fault.target.channel === scope.channel),
        events: scope.events(),
      }
      await testInfo.attach('sse-connections.json', {
        body: JSON.stringify(report, null, 2),
        contentType: 'application/json',
      })
    }
    scope.dispose()
  },
}

/**
 * Playwright's `test` with the `sseServer` (worker) and `sse` (per test) fixtures.
 * @example
 * import {test, expect} from '@holdfast/test-server/playwright'
 * test('resumes after a drop', async ({page, sse}) => {
 *   await page.goto(`/app.html?stream=${encodeURIComponent(sse.url)}`)
 *   const first = await sse.nextConnection()
 *   sse.publish('hello')
 *   sse.inject({type: 'drop'})
 *   const second = await sse.nextConnection()
 *   expect(second.lastEventId).toBe('1')
 * })
 */
export const test = base.extend<SseTestFixtures, SseWorkerFixtures>(sseFixtures)

export {expect}
export type {ChannelScope, TestServer, TestServerOptions} from './types.js'
