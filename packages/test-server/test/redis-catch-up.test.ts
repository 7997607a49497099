// The catch-up after a Redis outage, against a real redis-server. Redis is steered with commands an operator has:
// CLIENT KILL cuts a server's connections (it reconnects at once and catches up), CLIENT PAUSE WRITE holds every
// script (a snapshot, a publish) until CLIENT UNPAUSE while reads and SUBSCRIBE go on, so that a test decides what
// Redis runs first, and a key of the wrong type makes one channel's catch-up fail for as long as it stays.
import {createClient} from '@redis/client'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {channelKeys} from '../src/engine/redis-scripts.js'
import type {TestServer, TestServerOptions} from '../src/index.js'
import {call, connect, startServer, type TestClient} from './helpers.js'
import {useRedis} from './redis.js'

const redis = useRedis()

type Admin = ReturnType<typeof createClient>
let admin: Admin

async function connectAdmin(): Promise<void> {
  // No reconnection: a test that stops Redis makes a new connection after (see command()).
  admin = createClient({url: redis.server.url, socket: {reconnectStrategy: false}})
  admin.on('error', () => {})
  await admin.connect()
}
beforeAll(connectAdmin)
afterAll(() => admin.destroy())

/** Runs a command on the admin connection (reconnecting first when Redis was restarted). */
async function command(...args: string[]): Promise<unknown> {
  if (!admin.isReady) {
    admin.destroy()
    await connectAdmin()
  }
  return admin.sendCommand(args)
}

/** The ids of the clients connected to Redis, and how many of them wait in a pause with a script. */
async function clients(): Promise<{ids: string[]; pausedScripts: number}> {
  const lines = String(await command('CLIENT', 'LIST'))
    .split('\n')
    .filter((line) => line.startsWith('id='))
  const field = (line: string, name: string): string | undefined =>
    line
      .split(' ')
      .find((part) => part.startsWith(`${name}=`))
      ?.slice(name.length + 1)
  return {
    ids: lines.map((line) => field(line, 'id') as string),
    pausedScripts: lines.filter((line) => field(line, 'flags')?.includes('b') && field(line, 'cmd') === 'eval').length,
  }
}

async function pausedScripts(): Promise<number> {
  return (await clients()).pausedScripts
}

/** Cuts every connection but the admin's: each server reconnects at once and catches up. */
async function cutConnections(): Promise<void> {
  await command('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes')
  await command('CLIENT', 'KILL', 'TYPE', 'pubsub')
}

const health = async (server: TestServer<boolean>): Promise<number> => (await call(server, 'GET', '/health')).status

/** The status a new stream on `channel` gets (the stream is closed after). */
async function streamStatus(server: TestServer<boolean>, channel: string): Promise<number> {
  const client = connect(server.streamUrl(channel))
  const status = await client.status
  client.close()
  return status
}

const listed = (client: TestClient): string[] =>
  client.events().map(({id, event, data}) => `${id ?? '-'} ${event} ${event === 'replay-gap' ? '' : data}`.trim())

async function fleetServer(options: TestServerOptions = {}): Promise<TestServer<boolean>> {
  return (await startServer(redis.fleet({retryMs: false, ...options}))).server
}

describe('catching up after Redis was lost', () => {
  it('opens streams on a channel first used during the catch-up, and keeps it current after', async () => {
    const a = await fleetServer()
    const old = connect(a.streamUrl('old'))
    await a.waitForConnection((c) => c.channel === 'old' && c.state === 'open')
    await a.publish('old', 'one')
    await old.waitForEvents(1)

    await command('CLIENT', 'PAUSE', '60000', 'WRITE')
    let fresh: TestClient
    try {
      await cutConnections()
      // Both connections are back and the catch-up runs: its snapshot of 'old' waits in the pause.
      await expect.poll(pausedScripts).toBe(1)
      expect(await health(a)).toBe(503)
      fresh = connect(a.streamUrl('fresh'))
      await expect.poll(() => a.channels().map((channel) => channel.name)).toContain('fresh')
    } finally {
      await command('CLIENT', 'UNPAUSE')
    }
    expect(await fresh.status).toBe(200)
    await expect.poll(() => health(a)).toBe(200)
    expect(await streamStatus(a, 'fresh')).toBe(200)
    await a.publish('fresh', 'hello')
    expect(listed(fresh)).toEqual([])
    await fresh.waitForEvents(1)
    expect(listed(fresh)).toEqual(['1 message hello'])
  })

  it('keeps the events published during its catch-up that the log does not hold (replayLimit 0)', async () => {
    const options = redis.fleet({retryMs: false, replayLimit: 0})
    const {server: a} = await startServer(options)
    const before = (await clients()).ids
    const {server: b} = await startServer(options)
    const ofB = (await clients()).ids.filter((id) => !before.includes(id))
    expect(ofB).toHaveLength(2)
    const onB = connect(b.streamUrl('news'))
    await b.waitForConnection((c) => c.channel === 'news' && c.state === 'open')
    await a.publish('news', 'one')
    await onB.waitForEvents(1)

    await command('CLIENT', 'PAUSE', '60000', 'WRITE')
    let published: Promise<{id: string}>
    try {
      // a's publish is held first; then b loses its connections, comes back, subscribes, and its snapshot is held
      // behind the publish: Redis runs the publish (b hears it live) and then b's snapshot, which counts it.
      published = Promise.resolve(a.publish('news', 'two'))
      await expect.poll(pausedScripts).toBe(1)
      for (const id of ofB) await command('CLIENT', 'KILL', 'ID', id)
      await expect.poll(pausedScripts).toBe(2)
    } finally {
      await command('CLIENT', 'UNPAUSE')
    }
    expect((await published).id).toBe('2')
    await expect.poll(() => health(b)).toBe(200)
    await a.publish('news', 'three')
    await expect.poll(() => onB.events().some((event) => event.id === '3')).toBe(true)
    expect(listed(onB)).toEqual(['1 message one', '2 message two', '3 message three'])
  })

  it('tries a channel again that could not load while Redis answered, instead of refusing its streams for good', async () => {
    const options = redis.fleet({retryMs: false})
    const {server: a, logs} = await startServer(options)
    const {keyPrefix} = options.redis as {keyPrefix: string}
    const broken = channelKeys(keyPrefix, 'broken').log
    await command('SET', broken, 'not a stream') // a foreign writer's key: reading the log fails (WRONGTYPE)
    expect(await streamStatus(a, 'broken')).toBe(503)
    expect(await health(a)).toBe(200)
    await command('DEL', broken)
    await expect.poll(() => streamStatus(a, 'broken')).toBe(200)
    expect((await a.publish('broken', 'fine')).id).toBe('1')
    expect(logs.filter((entry) => entry.level === 'warn')).toEqual([])
  })

  // Last: it stops the file's redis-server (and starts it again).
  it('refuses new streams again on channels that had caught up when Redis is lost during the catch-up', async () => {
    const options = redis.fleet({retryMs: false})
    const {server: a, logs} = await startServer(options)
    const {keyPrefix} = options.redis as {keyPrefix: string}
    for (const channel of ['good', 'bad']) {
      connect(a.streamUrl(channel))
      await a.waitForConnection((c) => c.channel === channel && c.state === 'open')
      await a.publish(channel, `${channel} 1`)
    }
    // 'bad' cannot catch up while its log is a key of the wrong type: the catch-up goes on, round after round.
    const badLog = channelKeys(keyPrefix, 'bad').log
    await command('DEL', badLog)
    await command('SET', badLog, 'not a stream')
    await cutConnections()
    await expect.poll(() => streamStatus(a, 'good')).toBe(200) // caught up
    expect(await streamStatus(a, 'bad')).toBe(503)
    expect(await health(a)).toBe(503)
    // Publishes wait until every channel caught up.
    await expect(Promise.resolve().then(() => a.publish('good', 'early'))).rejects.toMatchObject({
      code: 'redis-unavailable',
      message: `Cannot publish to 'good': nothing was published, because Redis at ${redis.server.url} is back, and this server is still catching up`,
    })

    try {
      await redis.server.kill()
      await expect.poll(() => streamStatus(a, 'good')).toBe(503)
      expect(await health(a)).toBe(503)
      await expect(Promise.resolve().then(() => a.publish('good', 'lost'))).rejects.toMatchObject({
        code: 'redis-unavailable',
      })
      expect(logs.some((entry) => entry.message.includes('again while catching up'))).toBe(true)
    } finally {
      if (!redis.server.running) await redis.server.restart()
    }
    // Back empty: the server gives Redis its ids again, both channels catch up, ids go on.
    await expect.poll(() => health(a), {timeout: 10_000}).toBe(200)
    expect(await streamStatus(a, 'bad')).toBe(200)
    expect((await a.publish('good', 'good 2')).id).toBe('2')
    expect((await a.publish('bad', 'bad 2')).id).toBe('2')
  })
})
