import {describe, expect, it, vi} from 'vitest'
import {EventSource} from '../src/index'
import {flush, mockStream, openSource, record, until, useFakeClock, useMockServer} from './harness'

useMockServer()

describe('[ext] maxEventSize', () => {
  it.each([
    ['one huge data line', (size: number) => ['data: ' + 'x'.repeat(size / 2), 'x'.repeat(size)]],
    ['many data lines without a blank line', (size: number) => Array(20).fill('data: ' + 'y'.repeat(size / 10) + '\n')],
  ])('fails %s with event-too-large: CLOSED, no loop, nothing delivered', async (_name, chunks) => {
    useFakeClock()
    const stream = mockStream()
    const source = openSource({maxEventSize: 1000})
    const log = record(source)
    const connection = await stream.open()
    connection.send('data: small\n\n')
    for (const chunk of chunks(1000)) connection.send(chunk)
    await until(() => log.length === 3, 'the error')
    expect(log).toEqual(['open:1', 'message:small', 'error:2:event-too-large'])
    expect(connection.aborted).toBe(true)
    await flush()
    await vi.advanceTimersByTimeAsync(600_000)
    expect(stream.connections).toHaveLength(1)
    expect(source.readyState).toBe(EventSource.CLOSED)
  })

  it('fails an oversized event that arrives whole in one chunk, and keeps the resume point before it', async () => {
    // The parser checks its limit between chunks only; over loopback a 64 KiB event arrives in one chunk.
    const stream = mockStream()
    const source = openSource({maxEventSize: 1000})
    const log = record(source)
    const connection = await stream.open()
    connection.send('id: 1\ndata: small\n\n')
    connection.send(`id: 2\ndata: ${'x'.repeat(2000)}\n\nid: 3\ndata: after\n\n`)
    await until(() => log.length === 3, 'the error')
    expect(log).toEqual(['open:1', 'message:small', 'error:2:event-too-large'])
    expect(connection.aborted).toBe(true)
    expect(source.lastEventId).toBe('1')
  })

  it('lets events up to the limit through', async () => {
    const stream = mockStream()
    const source = openSource({maxEventSize: 1000})
    const got: number[] = []
    source.onmessage = (event) => got.push(event.data.length)
    ;(await stream.open()).send(`data: ${'z'.repeat(990)}\n\n`)
    await until(() => got.length === 1, 'the event')
    expect(got).toEqual([990])
  })

  it('ignores garbage lines without buffering them', async () => {
    const stream = mockStream()
    const source = openSource({maxEventSize: 100})
    const got: string[] = []
    source.onmessage = (event) => got.push(event.data)
    const connection = await stream.open()
    for (let i = 0; i < 50; i++) connection.send('garbage without a field name '.repeat(10))
    connection.send('\ndata: fine\n\n')
    await until(() => got.length === 1, 'the event')
    expect(got).toEqual(['fine'])
    expect(source.readyState).toBe(EventSource.OPEN)
  })
})
