import {describe, expect, it} from 'vitest'
import {connect, startServer} from './helpers.js'

describe('faults in the stream URL', () => {
  it('fire on the first connection only; the client reconnecting to the same URL gets a normal stream', async () => {
    const {server} = await startServer({retryMs: false})
    const query = {fault: 'drop', midEvent: 'true', after: 2}
    const first = connect(server.streamUrl('news', query))
    await server.waitForConnection((c) => c.state === 'open')
    for (let i = 1; i <= 4; i++) server.publish('news', `e${i}`)
    expect(await first.ended).toBe('aborted')
    expect(first.events().map((e) => e.id)).toEqual(['1', '2'])

    // Same query, plus the id it resumes from (as a client with `lastEventIdIn: 'query'` would send).
    const again = connect(server.streamUrl('news', {...query, lastEventId: 2}))
    expect((await again.waitForEvents(2)).map((e) => e.id)).toEqual(['3', '4'])
    expect(server.connections().map((c) => c.faults)).toEqual([[{id: 'f1', type: 'drop', via: 'query'}], []])
  })

  it('fire `times` times for the same URL', async () => {
    const {server} = await startServer()
    const url = server.streamUrl('news', {fault: 'status', status: 503, retryAfter: 2, times: 2})
    const answers = []
    for (const _ of [1, 2, 3]) {
      const client = connect(url)
      answers.push([await client.status, (await client.headers)['retry-after']])
    }
    expect(answers).toEqual([
      [503, '2'],
      [503, '2'],
      [200, undefined],
    ])
  })

  it('fire on every connection with times=all', async () => {
    const {server} = await startServer()
    const url = server.streamUrl('news', {fault: 'status', status: 500, times: 'all'})
    for (const _ of [1, 2, 3]) expect(await connect(url).status).toBe(500)
  })

  it('re-arm with another faultKey, and after clearFaults()', async () => {
    const {server} = await startServer()
    const statusOf = async (query: Record<string, string | number>) => connect(server.streamUrl('news', query)).status
    expect(await statusOf({fault: 'status', status: 502})).toBe(502)
    expect(await statusOf({fault: 'status', status: 502})).toBe(200)
    expect(await statusOf({fault: 'status', status: 502, faultKey: 'second'})).toBe(502)
    server.clearFaults()
    expect(await statusOf({fault: 'status', status: 502})).toBe(502)
  })

  it('are counted per channel', async () => {
    const {server} = await startServer()
    expect(await connect(server.streamUrl('a', {fault: 'status', status: 503})).status).toBe(503)
    expect(await connect(server.streamUrl('b', {fault: 'status', status: 503})).status).toBe(503)
  })

  it('accept the JSON of one fault or of several', async () => {
    const {server} = await startServer({retryMs: false})
    const several = JSON.stringify([
      {type: 'content-type', contentType: 'text/html'},
      {type: 'end', after: 1},
    ])
    const client = connect(server.streamUrl('news', {fault: several}))
    expect((await client.headers)['content-type']).toBe('text/html')
    await server.waitForConnection((c) => c.state === 'open')
    server.publish('news', 'only')
    expect(await client.ended).toBe('end')
    expect(client.events().map((e) => e.data)).toEqual(['only'])
    const one = connect(server.streamUrl('news', {fault: '{"type":"status","status":418}'}))
    expect(await one.status).toBe(418)
  })

  it('leave the app’s own parameters alone', async () => {
    const {server} = await startServer()
    const client = connect(server.streamUrl('news', {fault: 'end', status: 'active', user: 'ann'}))
    expect(await client.status).toBe(200)
    expect(await client.ended).toBe('end')
  })

  it('answer 400 naming the problem, without disturbing other streams', async () => {
    const {server} = await startServer({retryMs: false})
    const healthy = connect(server.streamUrl('news'))
    await server.waitForConnection((c) => c.state === 'open')
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{fault: 'explode'}, /unknown type "explode"/],
      [{fault: 'stall', durationMs: 'abc'}, /`durationMs` of a stall fault must be an integer >= 1, got "abc"/],
      [{fault: 'drop', midEvent: 'maybe'}, /`midEvent` of a drop fault must be true or false/],
      [{fault: '{"type":'}, /not valid JSON/],
    ]
    for (const [query, message] of cases) {
      const bad = connect(server.streamUrl('news', query))
      expect(await bad.status).toBe(400)
      await bad.ended
      expect(JSON.parse(bad.text).error).toEqual({code: 'invalid-fault', message: expect.stringMatching(message)})
    }
    const twice = connect(`${server.streamUrl('news')}?fault=end&fault=drop`)
    expect(await twice.status).toBe(400)
    server.publish('news', 'still flowing')
    expect((await healthy.waitForEvents(1))[0]?.data).toBe('still flowing')
    expect(server.connections().length).toBe(1)
  })
})
