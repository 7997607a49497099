// A fleet: two test-server processes on one Redis, behind nginx with an upstream of both. The page streams through
// nginx; the server holding its stream dies or restarts, and Holdfast resumes on the other with Last-Event-ID.
import {startRedis, type RedisServer} from '../../scripts/redis-server.mjs'
import {expect, fast, test as base, type Harness} from '../fixtures'
import {startNginx, type Nginx} from '../support/nginx'
import {ServerProcess} from '../support/server-process'

/** Redis, two servers on it, nginx in front of both; all stopped after the test. */
interface Fleet {
  redis: RedisServer
  servers: [ServerProcess, ServerProcess]
  nginx: Nginx
  /** The server whose stream the page holds now, and the other one. */
  holding(channel: string): Promise<{holder: ServerProcess; other: ServerProcess}>
}

const test = base.extend<{fleet: Fleet}>({
  // Four processes to start and stop (Redis, two servers, nginx): a timeout of their own, apart from the test's.
  fleet: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const redis = await startRedis()
      const servers = [] as unknown as Fleet['servers']
      let nginx: Nginx | undefined
      try {
        servers.push(await ServerProcess.start({redis: redis.url}), await ServerProcess.start({redis: redis.url}))
        // A read timeout longer than any test here: a stalled stream is cut by the kill under test, never by nginx.
        nginx = await startNginx(
          servers.map((server) => server.url),
          {readTimeoutS: 60},
        )
        await use({
          redis,
          servers,
          nginx,
          async holding(channel) {
            let found: {holder: ServerProcess; other: ServerProcess} | undefined
            await expect
              .poll(async () => {
                const [a, b] = servers
                const open = await Promise.all(servers.map((server) => server.openStreams(channel)))
                found =
                  open[0]!.length > 0 ? {holder: a, other: b} : open[1]!.length > 0 ? {holder: b, other: a} : undefined
                return open.flat().length
              })
              .toBe(1)
            return found!
          },
        })
      } finally {
        await nginx?.stop()
        for (const server of servers) await server.kill()
        await redis.stop()
      }
    },
    {timeout: 30_000},
  ],
})

/** Loads the harness through nginx and opens Holdfast on `channel` through it. */
async function openThroughNginx(harness: Harness, fleet: Fleet, channel: string, init: object): Promise<void> {
  await harness.goto(fleet.nginx.url)
  await harness.open('holdfast', `${fleet.nginx.url}/sse/${channel}?retryMs=${fast.retryDelay}`, init)
}

const range = (from: number, to: number): number[] => Array.from({length: to - from + 1}, (_, i) => from + i)
const ids = (numbers: number[]): string[] => numbers.map(String)

/**
 * Publishes `event N` for each N, ten at a time (one control request, one Redis script) on the servers in turn, and
 * checks the ids Redis gave. Batches keep the work small: the test waits for the events, not for a request rate.
 */
async function publish(servers: ServerProcess[], channel: string, numbers: number[]): Promise<void> {
  for (let start = 0; start < numbers.length; start += 10) {
    const batch = numbers.slice(start, start + 10)
    const events = await servers[(start / 10) % servers.length]!.publish(
      channel,
      batch.map((n) => `event ${n}`),
    )
    expect(events.map((event) => event.id)).toEqual(batch.map(String))
  }
}

test('the server holding the stream is SIGKILLed: Holdfast resumes through nginx on the other, every event once, in order', async ({
  harness,
  fleet,
}) => {
  const channel = 'kill'
  // The watchdog waits long, so that the reconnection comes from the killed connection, not from the stall below.
  await openThroughNginx(harness, fleet, channel, {...fast, idleTimeout: 30_000})
  const {holder, other} = await fleet.holding(channel)

  await publish(fleet.servers, channel, range(1, 100))
  await expect.poll(async () => (await harness.ids('holdfast')).length).toBe(100)
  // The page's stream stops moving; what is published from now on can only reach the page through a replay.
  await holder.inject(channel, {type: 'stall'})
  await publish(fleet.servers, channel, range(101, 250))
  // The other server got the holder's last publishes through Redis a moment later: once it has them all, the
  // reconnection to it is answered with a replay of the 150 events the stall held back.
  await expect.poll(async () => (await other.events(channel)).at(-1)?.id).toBe('250')
  await holder.kill()
  await publish([other], channel, range(251, 500))

  await expect.poll(() => harness.ids('holdfast')).toEqual(ids(range(1, 500)))
  expect(await harness.messages('holdfast')).toEqual(range(1, 500).map((n) => `event ${n}`))
  const resumed = (await other.connections(channel)).filter((connection) => connection.lastEventId !== undefined)
  expect(resumed[0]).toMatchObject({lastEventId: '100', status: 200, replay: {result: 'replayed'}})
  expect(resumed[0]!.replay.events).toBeGreaterThanOrEqual(150)
})

test('a rolling restart of both servers, one at a time, loses nothing and repeats nothing', async ({
  harness,
  fleet,
}) => {
  const channel = 'rolling'
  await openThroughNginx(harness, fleet, channel, fast)
  await fleet.holding(channel)
  let next = 1
  const publishNext = async (servers: ServerProcess[], count: number): Promise<void> => {
    await publish(servers, channel, range(next, next + count - 1))
    next += count
  }

  await publishNext(fleet.servers, 100)
  for (const index of [0, 1] as const) {
    const stopping = fleet.servers[index]
    const staying = fleet.servers[1 - index]!
    await stopping.stop() // graceful: the shutdown event, then the end of the stream
    await publishNext([staying], 50)
    fleet.servers[index] = await stopping.restart()
    await publishNext(fleet.servers, 50)
    // The page is on one of them, and has everything so far.
    await expect.poll(() => harness.ids('holdfast')).toEqual(ids(range(1, next - 1)))
  }
  expect(next - 1).toBe(300)
  expect(await harness.messages('holdfast')).toEqual(range(1, 300).map((n) => `event ${n}`))
})
