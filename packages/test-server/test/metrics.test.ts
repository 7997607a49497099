import {describe, expect, it} from 'vitest'
import {call, connect, startServer} from './helpers.js'

/** The samples of a Prometheus text exposition, `name{labels}` → value. */
function samples(text: string): Record<string, number> {
  const result: Record<string, number> = {}
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const at = line.lastIndexOf(' ')
    result[line.slice(0, at)] = Number(line.slice(at + 1))
  }
  return result
}

describe('/metrics', () => {
  it('reports connections, events, heartbeats, disconnects by reason and faults by type, in Prometheus text', async () => {
    const {server} = await startServer({retryMs: false})
    const staying = connect(server.streamUrl('news'))
    const leaving = connect(server.streamUrl('news'))
    await server.waitForConnection((c) => c.seq === 2 && c.state === 'open')
    server.publish('news', 'a')
    server.publish('news', 'b')
    await staying.waitForEvents(2)
    await leaving.waitForEvents(2)
    leaving.close()
    await server.waitForClose('c2')
    server.inject({type: 'status', status: 503})
    await connect(server.streamUrl('news')).ended
    await connect(server.streamUrl('news', {fault: 'status', status: 500})).ended
    server.inject({type: 'malformed'}, 'news')

    const response = await fetch(`${server.url}/metrics`)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await response.text()
    expect(text).toContain('# TYPE holdfast_events_sent_total counter')
    expect(samples(text)).toMatchObject({
      holdfast_connections_active: 1,
      holdfast_connections_total: 2,
      holdfast_channels: 1,
      holdfast_events_published_total: 2,
      holdfast_events_sent_total: 4,
      holdfast_events_replayed_total: 0,
      holdfast_heartbeats_total: 0,
      'holdfast_disconnects_total{reason="client-closed"}': 1,
      'holdfast_disconnects_total{reason="fault-status"}': 2,
      'holdfast_faults_injected_total{type="status",via="api"}': 1,
      'holdfast_faults_injected_total{type="status",via="query"}': 1,
      'holdfast_faults_injected_total{type="malformed",via="api"}': 1,
    })
    const bytes = samples(text).holdfast_bytes_sent_total ?? 0
    const records = server.connections()
    expect(bytes).toBe(records.reduce((sum, record) => sum + record.bytesSent, 0))
    expect(await server.metrics()).toContain('holdfast_connections_active 1')
  })

  it('keeps one registry per server and honours metricsPrefix', async () => {
    const {server: a} = await startServer({metricsPrefix: 'sse_'})
    const {server: b} = await startServer()
    a.publish('x', '1')
    expect(samples(await a.metrics()).sse_events_published_total).toBe(1)
    expect(samples(await b.metrics()).holdfast_events_published_total).toBe(0)
    expect((await call(a, 'GET', '/metrics')).status).toBe(200)
  })
})
