import {
  test as base,
  expect,
  type Fixtures,
  type PlaywrightTestArgs,
  type PlaywrightTestOptions,
  type PlaywrightWorkerArgs,
  type PlaywrightWorkerOptions,
  type TestInfo,
  type TestType,
} from '@playwright/test'
import {TestServerError} from './errors.js'
import {createTestServer} from './server.js'
import type {ChannelScope, TestServer, TestServerOptions} from './types.js'

/**
 * How much earlier than the test's own timeout a scope's wait gives up, so that its message (what it waited for,
 * what it saw) is the one reported, not Playwright's bare "Test timeout exceeded". Fixtures set up before `sse`
 * (a browser context, say) have already used some of the test's time.
 */
const WAIT_MARGIN_MS = 1000

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
  /**
   * @internal When the test began (`Date.now()`): an automatic fixture, set up before every fixture of the test but
   * Playwright's own automatic ones, so that the waits of `sse` count the time the others took from the timeout.
   */
  _sseTestStart: number
}

/** The default `timeoutMs` of a test's waits: what is left of the test's timeout (which may change during it). */
function timeLeft(testInfo: TestInfo, started: number): () => number {
  return () => {
    if (testInfo.timeout === 0) return Infinity
    const left = testInfo.timeout - (Date.now() - started)
    return Math.max(0, Math.floor(left - Math.min(WAIT_MARGIN_MS, left / 10)))
  }
}

/**
 * The fixture definitions, to add to a `test` of your own: `base.extend(sseFixtures)`. Besides `sse` and
 * `sseServer`, they give Playwright's `baseURL` a default: the worker server's URL, unless the config or a
 * `test.use()` sets one.
 */
export const sseFixtures: Fixtures<
  SseTestFixtures & Pick<PlaywrightTestOptions, 'baseURL'>,
  SseWorkerFixtures,
  PlaywrightTestArgs & PlaywrightTestOptions,
  PlaywrightWorkerArgs & PlaywrightWorkerOptions
> = {
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
  // `page.goto('/app/')` reaches the worker's server, as the README's examples do. A baseURL from the config or
  // `test.use()` is kept: it is the value this fixture receives.
  baseURL: async ({baseURL, sseServer}, use) => use(baseURL ?? sseServer.url),
  // eslint-disable-next-line no-empty-pattern
  _sseTestStart: [async ({}, use) => use(Date.now()), {auto: true}],
  sse: async ({sseServer, _sseTestStart}, use, testInfo) => {
    // Unique per test, retry and repetition, so parallel workers and retries never share a channel.
    const scope = sseServer.scope(`pw-${testInfo.testId}-r${testInfo.retry}-x${testInfo.repeatEachIndex}`, {
      // Waits follow the test's own timeout (test.setTimeout and test.slow included), not a fixed 5 s.
      timeoutMs: timeLeft(testInfo, _sseTestStart),
      timeoutHint: () =>
        `a wait without its own timeoutMs lasts what is left of the test's timeout (${testInfo.timeout} ms): raise it with test.setTimeout() or test.slow()`,
    })
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
 * Playwright's `test` with the `sseServer` (worker) and `sse` (per test) fixtures, and `baseURL` defaulting to the
 * worker server's URL.
 * @example
 * import {test, expect} from '@holdfast/test-server/playwright'
 * test.use({sseServerOptions: {static: {'/app': './dist'}}})
 * test('resumes after a drop', async ({page, sse}) => {
 *   await page.goto(`/app/?stream=${encodeURIComponent(sse.url)}`)
 *   const first = await sse.nextConnection()
 *   sse.publish('hello')
 *   sse.inject({type: 'drop'})
 *   const second = await sse.nextConnection()
 *   expect(second.lastEventId).toBe('1')
 * })
 */
// Typed in full: for the inferred type, the declaration bundler (rollup-plugin-dts) writes `any`.
export const test: TestType<
  PlaywrightTestArgs & PlaywrightTestOptions & SseTestFixtures,
  PlaywrightWorkerArgs & PlaywrightWorkerOptions & SseWorkerFixtures
> = base.extend<SseTestFixtures, SseWorkerFixtures>(sseFixtures)

export {expect}
export {sseWebServer} from './web-server.js'
export type {CliServerOptions, SseWebServerConfig, SseWebServerOptions} from './web-server.js'
export type {ChannelScope, ScopeOptions, TestServer, TestServerOptions} from './types.js'
