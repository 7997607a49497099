import {describe, expect, it} from 'vitest'
import type {TestServer} from '../src/index.js'
import {connect, ioTurn, startServer} from './helpers.js'

const EVENT = 'x'.repeat(16 * 1024)
/** Enough to fill any loopback socket buffers many times over; reaching it means the server never pushed back. */
const MAX_EVENTS = 8_000

/** Publishes 16 KiB events, letting I/O run between them, until `done()` holds. Returns how many were published. */
async function publishUntil(server: TestServer, done: () => boolean): Promise<number> {
  let published = 0
  while (!done()) {
    if (published === MAX_EVENTS) throw new Error(`still not there after ${MAX_EVENTS} events`)
    server.publish('news', EVENT)
    published++
    await ioTurn()
  }
  return published
}

describe('backpressure', () => {
  it('queues for a reader that falls behind and delivers everything, in order, once it catches up', async () => {
    const {server} = await startServer({heartbeatMs: 0, retryMs: false})
    const slow = connect(server.streamUrl('news'))
    const record = await server.waitForConnection((c) => c.state === 'open')
    await slow.response
    slow.pause()
    const published = await publishUntil(server, () => (server.connection(record.id)?.queuedBytes ?? 0) > 0)
    slow.resume()
    const events = await slow.waitForEvents(published)
    expect(events.map((e) => e.id)).toEqual(Array.from({length: published}, (_, i) => String(i + 1)))
    expect(server.connection(record.id)).toMatchObject({state: 'open', queuedBytes: 0, eventsSent: published})
  })

  it('disconnects a reader whose queue passes maxQueuedBytes, logs why, and keeps serving the others', async () => {
    const limit = 64 * 1024
    const {server, logs} = await startServer({heartbeatMs: 0, maxQueuedBytes: limit})
    const fast = connect(server.streamUrl('news'))
    const slow = connect(server.streamUrl('news'))
    const slowRecord = await server.waitForConnection((c) => c.seq === 2 && c.state === 'open')
    await slow.response
    slow.pause()
    let largestQueue = 0
    const published = await publishUntil(server, () => {
      const current = server.connection(slowRecord.id)
      largestQueue = Math.max(largestQueue, current?.queuedBytes ?? 0)
      return current?.state === 'closed'
    })
    expect(largestQueue).toBeLessThanOrEqual(limit)
    expect(server.connection(slowRecord.id)).toMatchObject({closedBy: 'server', closeReason: 'slow-consumer'})
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        reason: 'slow-consumer',
        connection: slowRecord.id,
        message: expect.stringMatching(
          /^Disconnected c2 on channel 'news': slow consumer \(\d+ bytes queued, limit 65536\)$/,
        ),
      }),
    )
    // The FIN waits behind the bytes the slow reader never read: it sees the end once it reads again.
    slow.resume()
    expect(await slow.ended).toBe('aborted')
    expect((await fast.waitForEvents(published)).length).toBe(published)
    expect(server.connections('news')[0]).toMatchObject({state: 'open', eventsSent: published})
  })
})
