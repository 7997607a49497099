import {describe, expect, it} from 'vitest'
import {Channel, type Subscriber} from '../src/channel.js'
import {Follower, type FollowerHost, type RawEvent, type Snapshot} from '../src/engine/redis-follower.js'
import {channelKeys, encodePayload} from '../src/engine/redis-scripts.js'
import {TestServerError} from '../src/errors.js'
import type {LogEntry} from '../src/replay-log.js'

const raw = (seq: number): RawEvent => ({
  seq,
  payload: encodePayload({data: `event ${seq}`, event: undefined, retry: undefined}, 0),
})
const events = (from: number, to: number): RawEvent[] => Array.from({length: to - from + 1}, (_, i) => raw(from + i))

interface SnapshotRequest {
  afterSeq: number
  /** Redis ran the snapshot: its barrier reaches the live channel, then its reply comes. */
  answer(snapshot: Snapshot): void
  /** Its reply only (the barrier is still on its way on the other connection). */
  reply(snapshot: Snapshot): void
  /** Its barrier only. */
  barrier(): void
  fail(error: Error): void
}

/** A Redis the test answers by hand: each snapshot waits until the test gives it. */
class FakeRedis implements FollowerHost {
  readonly id = 'fake'
  follower: Follower | undefined
  readonly snapshots: SnapshotRequest[] = []
  restored: number[] = []
  malformedIds: number[] = []
  failures = 0
  subscribe(): Promise<void> {
    return Promise.resolve()
  }
  snapshot(_keys: unknown, afterSeq: number, token: string): Promise<Snapshot> {
    return new Promise((resolve, reject) => {
      const barrier = (): void => this.follower?.barrier(token)
      this.snapshots.push({
        afterSeq,
        answer: (snapshot) => (barrier(), resolve(snapshot)),
        reply: resolve,
        barrier,
        fail: reject,
      })
    })
  }
  restore(_keys: unknown, channel: Channel): Promise<void> {
    this.restored.push(channel.lastSeq)
    return Promise.resolve()
  }
  malformed(_channel: Channel, seq: number): void {
    this.malformedIds.push(seq)
  }
  failed(): void {
    this.failures++
  }
  /** The next snapshot request, once the follower made it. */
  async next(): Promise<SnapshotRequest> {
    for (let turn = 0; turn < 20 && this.snapshots.length === 0; turn++) await Promise.resolve()
    const request = this.snapshots.shift()
    if (!request) throw new Error('the follower asked for no snapshot')
    return request
  }
}

function follow(stale?: TestServerError) {
  const channel = new Channel('news', 5)
  const delivered: number[] = []
  const subscriber: Subscriber = {sendEvent: (entry: LogEntry) => delivered.push(entry.seq)}
  channel.subscribers.add(subscriber)
  const redis = new FakeRedis()
  const follower = new Follower(channel, channelKeys('p:', 'news'), redis, stale)
  redis.follower = follower
  return {channel, delivered, redis, follower}
}

const down = new TestServerError('redis-unavailable', 'Redis at redis://x is unreachable')

describe('a follower', () => {
  it('loads the log, then appends live messages once each, in id order, the overlap dropped', async () => {
    const {channel, delivered, redis, follower} = follow()
    const opened = follower.whenCurrent()
    expect(opened).toBeInstanceOf(Promise)
    follower.live(raw(3)) // published after the subscription, before the snapshot was read: in both
    const request = await redis.next()
    expect(request.afterSeq).toBe(0)
    request.answer({counter: 3, entries: events(1, 3)})
    await opened
    expect(follower.whenCurrent()).toBeUndefined()
    follower.live(raw(4))
    follower.live(raw(4))
    follower.live(raw(2))
    expect(delivered).toEqual([1, 2, 3, 4])
    expect(channel.info()).toMatchObject({lastId: '4', oldestId: '1', logSize: 4})
  })

  it('fetches a hole in the live messages from the log instead of skipping it', async () => {
    const {delivered, redis, follower} = follow()
    ;(await redis.next()).answer({counter: 2, entries: events(1, 2)})
    await follower.whenCurrent()
    follower.live(raw(5)) // 3 and 4 never came
    const request = await redis.next()
    expect(request.afterSeq).toBe(2)
    request.answer({counter: 5, entries: events(3, 5)})
    await new Promise((resolve) => setImmediate(resolve))
    expect(delivered).toEqual([1, 2, 3, 4, 5])
  })

  it('refuses streams while Redis is down, keeps appending the next ids, and catches up when it is back', async () => {
    const {delivered, redis, follower} = follow()
    ;(await redis.next()).answer({counter: 1, entries: events(1, 1)})
    await follower.whenCurrent()
    follower.lost(down)
    await expect(follower.whenCurrent()).rejects.toBe(down)
    follower.live(raw(2)) // the subscriber connection still delivers: the next id is taken
    follower.live(raw(4)) // not the next: waits for the catch-up
    expect(delivered).toEqual([1, 2])
    const back = follower.resync()
    ;(await redis.next()).answer({counter: 4, entries: events(3, 4)})
    await back
    expect(delivered).toEqual([1, 2, 3, 4])
  })

  it('gives an emptied Redis back its last id before catching up', async () => {
    const {channel, redis, follower} = follow()
    ;(await redis.next()).answer({counter: 7, entries: events(3, 7)})
    await follower.whenCurrent()
    follower.lost(down)
    const back = follower.resync()
    ;(await redis.next()).answer({counter: 0, entries: []}) // restarted without persistence
    const again = await redis.next()
    expect(redis.restored).toEqual([7])
    again.answer({counter: 7, entries: []})
    await back
    expect(channel.lastSeq).toBe(7)
  })

  it('restarts the log after ids that are gone for good, so replays still hold consecutive ids', async () => {
    const {channel, delivered, redis, follower} = follow()
    ;(await redis.next()).answer({counter: 2, entries: events(1, 2)})
    await follower.whenCurrent()
    follower.lost(down)
    const back = follower.resync()
    ;(await redis.next()).answer({counter: 20, entries: events(16, 20)}) // 3-15 trimmed meanwhile
    await back
    expect(delivered).toEqual([1, 2, 16, 17, 18, 19, 20])
    expect(channel.log.plan('2', channel.lastSeq)).toMatchObject({result: 'too-old', oldestId: '16'})
  })

  it('steps over a payload it cannot read, and reports it', async () => {
    const {delivered, redis, follower} = follow()
    ;(await redis.next()).answer({counter: 3, entries: [raw(1), {seq: 2, payload: 'not json'}, raw(3)]})
    await follower.whenCurrent()
    await follower.whenCurrent()
    expect(redis.malformedIds).toEqual([2])
    expect(delivered).toEqual([1, 3])
  })

  it('starts stale when Redis is down, and rejects the streams that wait when it is lost meanwhile', async () => {
    const stale = follow(down)
    await expect(stale.follower.whenCurrent()).rejects.toBe(down)
    const {redis, follower} = follow()
    const waiting = follower.whenCurrent()
    await redis.next()
    follower.lost(down)
    await expect(waiting).rejects.toBe(down)
  })

  describe('catches up with what the live channel gave it, not only what the log holds', () => {
    /** A follower current at id 1 that lost Redis and is catching up now. */
    async function catchingUp() {
      const followed = follow()
      ;(await followed.redis.next()).answer({counter: 1, entries: events(1, 1)})
      await followed.follower.whenCurrent()
      followed.follower.lost(down)
      return followed
    }

    it('keeps a message that arrived before the snapshot although the log does not hold it (replayLimit 0)', async () => {
      const {channel, delivered, redis, follower} = await catchingUp()
      const back = follower.resync()
      follower.live(raw(2)) // published once the subscription held, before the snapshot ran
      ;(await redis.next()).answer({counter: 3, entries: []}) // 3 was published while this server was cut off
      await back
      expect(delivered).toEqual([1, 2])
      expect(channel.lastSeq).toBe(3)
      expect(channel.log.plan('1', channel.lastSeq)).toMatchObject({result: 'too-old'})
    })

    it('waits for the snapshot’s barrier: a message still on its way when the reply came is kept', async () => {
      const {delivered, redis, follower} = await catchingUp()
      const back = follower.resync()
      const request = await redis.next()
      request.reply({counter: 2, entries: []}) // the reply came first, on the other connection
      for (let turn = 0; turn < 5; turn++) await Promise.resolve()
      expect(follower.state).toBe('syncing')
      follower.live(raw(2))
      request.barrier()
      await back
      expect(delivered).toEqual([1, 2])
    })

    it('keeps the messages it could not append while stale for the catch-up', async () => {
      const {delivered, redis, follower} = await catchingUp()
      follower.live(raw(3)) // 2 never came: held
      expect(delivered).toEqual([1])
      const back = follower.resync()
      ;(await redis.next()).answer({counter: 3, entries: []})
      await back
      expect(delivered).toEqual([1, 3])
    })

    it('keeps what it had buffered when Redis is lost again during the catch-up', async () => {
      const {delivered, redis, follower} = await catchingUp()
      const first = follower.resync()
      follower.live(raw(3))
      await redis.next() // never answered: the connection drops
      follower.lost(down)
      await expect(first).rejects.toBe(down)
      const back = follower.resync()
      ;(await redis.next()).answer({counter: 3, entries: []})
      await back
      expect(delivered).toEqual([1, 3])
    })

    it('fetches a hole after the barrier in one more round', async () => {
      const {delivered, redis, follower} = await catchingUp()
      const back = follower.resync()
      const request = await redis.next()
      request.barrier()
      follower.live(raw(3)) // published after the snapshot; 2 was lost on the way
      request.reply({counter: 1, entries: []})
      const again = await redis.next()
      expect(again.afterSeq).toBe(1)
      again.answer({counter: 3, entries: events(2, 3)})
      await back
      expect(delivered).toEqual([1, 2, 3])
    })

    it('drops a message before the barrier with an id past the counter (no server published it), once', async () => {
      const {delivered, redis, follower} = follow()
      ;(await redis.next()).answer({counter: 1, entries: events(1, 1)})
      await follower.whenCurrent()
      follower.live(raw(5)) // a foreign writer's id: a hole, so a catch-up
      ;(await redis.next()).answer({counter: 1, entries: []})
      await follower.whenCurrent()
      expect(follower.state).toBe('current')
      await expect(redis.next()).rejects.toThrow('no snapshot') // no endless rounds
      expect(delivered).toEqual([1])
    })
  })

  it('tells the engine when a catch-up failed while Redis answered, so that it tries again', async () => {
    const {redis, follower} = follow()
    const waiting = follower.whenCurrent()
    const error = new TestServerError('redis-unavailable', 'WRONGTYPE')
    ;(await redis.next()).fail(error)
    await expect(waiting).rejects.toBe(error)
    expect(redis.failures).toBe(1)
    expect(follower.state).toBe('stale')
    const back = follower.resync()
    ;(await redis.next()).answer({counter: 0, entries: []})
    await back
    expect(follower.state).toBe('current')
  })
})
