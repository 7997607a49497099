import {describe, expect, it} from 'vitest'
import {createTestServer, TestServerError, type TestServer} from '../src/index.js'
import {call, connect, startServer} from './helpers.js'
import {useRedis} from './redis.js'
import {freePort} from '../../../scripts/free-port.mjs'

const redis = useRedis()

async function rejection(promise: Promise<unknown>): Promise<TestServerError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  if (!TestServerError.is(error)) throw new Error(`expected a TestServerError, got ${String(error)}`)
  return error
}

const metric = async (server: TestServer<boolean>, name: string): Promise<number> =>
  Number(new RegExp(`^holdfast_${name} (\\d+)$`, 'm').exec(await server.metrics())?.[1])

describe('Redis unreachable at start', () => {
  it('fails with redis-unavailable naming the URL, its password hidden, without retrying', async () => {
    const port = await freePort() // nothing listens there
    const error = await rejection(createTestServer({redis: `redis://:s3cret@127.0.0.1:${port}`, logger: false}))
    expect(error.code).toBe('redis-unavailable')
    expect(error.message).toContain(`Cannot connect to Redis at redis://:***@127.0.0.1:${port}`)
    expect(error.message).toContain('ECONNREFUSED')
    expect(error.message).not.toContain('s3cret')
  })

  it('refuses a URL that is not a Redis URL with invalid-option, before connecting', async () => {
    for (const redisUrl of ['http://127.0.0.1:6379', 'not a url', 'redis://']) {
      const error = await rejection(createTestServer({redis: redisUrl}))
      expect(error.code).toBe('invalid-option')
      expect(error.message).toMatch(/`redis` must be a redis:\/\/ or rediss:\/\/ URL/)
    }
    const unknown = await rejection(createTestServer({redis: {url: redis.server.url, prefix: 'x'} as never}))
    expect(unknown.message).toContain('unknown field `redis.prefix`')
  })
})

describe('Redis lost while running', () => {
  it('keeps streams open with heartbeats, refuses publishes with a typed error, and resumes the ids after', async () => {
    const fleet = redis.fleet({retryMs: false, heartbeatMs: 20})
    const {server: a, logs} = await startServer(fleet)
    const {server: b} = await startServer(fleet)
    const onA = connect(a.streamUrl('news'))
    const onB = connect(b.streamUrl('news'))
    const streamA = await a.waitForConnection((c) => c.state === 'open')
    await b.waitForConnection((c) => c.state === 'open')
    for (let i = 1; i <= 3; i++) await (i % 2 ? a : b).publish('news', `before ${i}`)
    await onA.waitForEvents(3)
    await onB.waitForEvents(3)

    await redis.server.kill()
    await expect.poll(async () => (await call(a, 'GET', '/health')).status).toBe(503)
    await expect.poll(async () => (await call(b, 'GET', '/health')).body.redis).toBe('down')

    // Open streams stay up and keep their heartbeats.
    const beats = a.connection(streamA.id)!.heartbeatsSent
    await expect.poll(() => a.connection(streamA.id)!.heartbeatsSent).toBeGreaterThan(beats + 2)
    expect(a.connection(streamA.id)!.state).toBe('open')
    // Publishes fail, loudly: the API with a typed error, the control API with a 503 and the same code.
    const refused = await rejection(Promise.resolve().then(() => a.publish('news', 'lost')))
    expect(refused.code).toBe('redis-unavailable')
    expect(refused.message).toContain(
      `Cannot publish to 'news': nothing was published, because Redis at ${redis.server.url}`,
    )
    const answer = await call(b, 'POST', '/control/publish', {channel: 'news', data: 'lost'})
    expect(answer.status).toBe(503)
    expect(answer.body.error.code).toBe('redis-unavailable')
    // New streams cannot be trusted with a replay: 503 too.
    const late = connect(a.streamUrl('news'), {headers: {'Last-Event-ID': '3'}})
    expect(await late.status).toBe(503)
    expect(await metric(a, 'redis_up')).toBe(0)
    expect(await metric(a, 'redis_outages_total')).toBe(1)
    expect(await metric(a, 'redis_publish_failures_total')).toBe(1)
    expect(
      logs.some((entry) => entry.level === 'warn' && entry.message.startsWith('Lost the connection to Redis')),
    ).toBe(true)

    // Redis comes back empty (no persistence): the servers give it back their last ids, and fan-out resumes.
    await redis.server.restart()
    await expect.poll(async () => (await call(a, 'GET', '/health')).status, {timeout: 10_000}).toBe(200)
    await expect.poll(async () => (await call(b, 'GET', '/health')).status, {timeout: 10_000}).toBe(200)
    const after = [
      await b.publish('news', 'after 4'),
      await a.publish('news', 'after 5'),
      await b.publish('news', 'after 6'),
    ]
    expect(after.map((event) => event.id)).toEqual(['4', '5', '6'])
    for (const client of [onA, onB]) {
      await client.waitForEvents(6)
      expect(client.events().map(({id, data}) => `${id} ${data}`)).toEqual([
        '1 before 1',
        '2 before 2',
        '3 before 3',
        '4 after 4',
        '5 after 5',
        '6 after 6',
      ])
    }
    expect(await metric(a, 'redis_up')).toBe(1)
    // A server that joins now finds the log the others restored.
    const {server: c} = await startServer(fleet)
    const joined = connect(c.streamUrl('news'), {headers: {'Last-Event-ID': '2'}})
    await joined.waitForEvents(4)
    expect(joined.events().map((event) => event.id)).toEqual(['3', '4', '5', '6'])
  })
})
