import {describe, expect, it} from 'vitest'
import {mockStream, openSource, record, until, useMockServer} from './harness'

useMockServer()

describe('smoke', () => {
  it('opens and receives a message', async () => {
    const stream = mockStream()
    const source = openSource()
    const log = record(source)
    const connection = await stream.open()
    connection.send('data: hello\n\n')
    await until(() => log.length === 2, 'the message arrives')
    expect(log).toEqual(['open:1', 'message:hello'])
    expect(connection.request.headers.get('accept')).toBe('text/event-stream')
  })
})
