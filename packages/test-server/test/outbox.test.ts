import {EventEmitter} from 'node:events'
import type {ServerResponse} from 'node:http'
import {describe, expect, it, vi} from 'vitest'
import {Outbox} from '../src/outbox.js'
import {useFakeTime} from './helpers.js'

/** A response whose socket accepts `capacity` writes before it reports backpressure. */
class FakeResponse extends EventEmitter {
  written: string[] = []
  accepting = true

  write(chunk: Buffer, callback?: () => void): boolean {
    this.written.push(chunk.toString())
    if (callback) queueMicrotask(callback)
    return this.accepting
  }

  drain(): void {
    this.accepting = true
    this.emit('drain')
  }
}

function outbox(limit = 100) {
  const res = new FakeResponse()
  const overflow = vi.fn()
  return {res, overflow, box: new Outbox(res as unknown as ServerResponse, limit, {overflow})}
}

const buf = (text: string): Buffer => Buffer.from(text)

describe('the outbox', () => {
  it('writes HTTP chunks straight to the socket once a chunked head is sent, using a chunk framed in advance', () => {
    const socket = new FakeResponse()
    const res = Object.assign(new FakeResponse(), {socket, chunkedEncoding: true, headersSent: true})
    const box = new Outbox(res as unknown as ServerResponse, 100, {overflow: vi.fn()})
    box.write(buf('data: hi\n\n'))
    box.write(buf('ignored'), undefined, buf('7\r\nframed!\r\n'))
    expect(socket.written).toEqual(['a\r\ndata: hi\n\n\r\n', '7\r\nframed!\r\n'])
    expect(res.written).toEqual([])
    expect(box.bytesSent).toBe(17)
  })

  it('writes through the response without chunked encoding (an HTTP/1.0 client)', () => {
    const socket = new FakeResponse()
    const res = Object.assign(new FakeResponse(), {socket, chunkedEncoding: false, headersSent: true})
    new Outbox(res as unknown as ServerResponse, 100, {overflow: vi.fn()}).write(buf('data: hi\n\n'))
    expect(res.written).toEqual(['data: hi\n\n'])
    expect(socket.written).toEqual([])
  })

  it('writes straight through while the socket keeps up', () => {
    const {res, box} = outbox()
    box.write(buf('a'))
    box.write(buf('bc'))
    expect(res.written).toEqual(['a', 'bc'])
    expect(box.bytesSent).toBe(3)
    expect(box.idle).toBe(true)
  })

  it('stops writing after write() returns false and flushes the queue, in order, on drain', () => {
    const {res, box} = outbox()
    res.accepting = false
    box.write(buf('1'))
    box.write(buf('2'))
    box.write(buf('3'))
    expect(res.written).toEqual(['1'])
    expect(box.queuedBytes).toBe(2)
    expect(box.idle).toBe(false)
    res.drain()
    expect(res.written).toEqual(['1', '2', '3'])
    expect(box.queuedBytes).toBe(0)
    expect(res.listenerCount('drain')).toBe(0)
  })

  it('reports a queue that passes the limit, with its size', () => {
    const {res, box, overflow} = outbox(10)
    res.accepting = false
    box.write(buf('x'))
    box.write(buf('123456'))
    expect(overflow).not.toHaveBeenCalled()
    box.write(buf('12345'))
    expect(overflow).toHaveBeenCalledWith(11)
  })

  it('writes nothing while stalled, then everything queued on resume', () => {
    const {res, box} = outbox()
    box.stall()
    box.write(buf('a'))
    box.write(buf('b'))
    expect(res.written).toEqual([])
    expect(box.stalled).toBe(true)
    box.resume()
    expect(res.written).toEqual(['a', 'b'])
  })

  it('trickles one byte per interval and calls a chunk’s callback after its last byte', async () => {
    useFakeTime()
    const {res, box} = outbox()
    const done = vi.fn()
    box.trickle(10)
    box.write(buf('abc'), done)
    expect(res.written).toEqual(['a'])
    await vi.advanceTimersByTimeAsync(10)
    expect(res.written).toEqual(['a', 'b'])
    await vi.advanceTimersByTimeAsync(10)
    expect(res.written).toEqual(['a', 'b', 'c'])
    expect(done).toHaveBeenCalledOnce()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('hands everything over at once with flushAll, ignoring stalls and backpressure', () => {
    const {res, box} = outbox()
    res.accepting = false
    box.write(buf('1'))
    box.write(buf('2'))
    box.stall()
    box.write(buf('3'))
    box.flushAll()
    expect(res.written).toEqual(['1', '2', '3'])
    expect(box.bytesSent).toBe(3)
  })

  it('writes nothing and holds no timer after close', () => {
    useFakeTime()
    const {res, box} = outbox()
    box.trickle(10)
    box.write(buf('abc'))
    res.accepting = false
    box.close()
    box.write(buf('more'))
    expect(res.written).toEqual(['a'])
    expect(vi.getTimerCount()).toBe(0)
  })
})
