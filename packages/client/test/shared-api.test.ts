// A SharedEventSource's signal, open event and reconnect(), across the tabs of a fake browser.
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {OpenEvent} from '../src/index'
import {SharedEventSource, type SharedEventSourceInit} from '../src/shared'
import {CLAIM_WINDOW} from '../src/shared/protocol'
import {FakeBrowser, type FakeTab} from './fake-tabs'
import {flush, mockStream, STREAM_URL, until, useFakeClock, useMockServer} from './harness'

useMockServer()
beforeEach(() => useFakeClock())

const sources: SharedEventSource[] = []
afterEach(() => {
  for (const source of sources.splice(0)) source.close()
})

/** A SharedEventSource in `tab`, with a log of its opens (by the response's request id), errors and messages. */
function open(tab: FakeTab, init: SharedEventSourceInit = {}) {
  const source = new SharedEventSource(STREAM_URL, {jitter: 0, retryDelay: 100, ...init, sharing: tab.environment})
  sources.push(source)
  const log: string[] = []
  const opens: OpenEvent[] = []
  source.addEventListener('open', (event) => {
    opens.push(event as OpenEvent)
    log.push(`open:${(event as OpenEvent).headers.get('x-request-id')}`)
  })
  source.addEventListener('error', (event) => log.push(`error:${source.readyState}:${event.error?.code}`))
  source.addEventListener('message', (event) => log.push(`message:${event.data}`))
  return {source, log, opens}
}

/** Tab A leads an open stream (answered with request id `1`); tab B follows. */
async function leaderAndFollower() {
  const stream = mockStream()
  const browser = new FakeBrowser()
  const [tabA, tabB] = [browser.tab(), browser.tab()]
  const a = open(tabA)
  const connection = await stream.open({headers: {'x-request-id': '1'}})
  await until(() => a.log.includes('open:1'), 'the leader open')
  const b = open(tabB)
  await until(() => b.log.includes('open:1'), 'the follower told the stream is open')
  expect([a.source.role, b.source.role]).toEqual(['leader', 'follower'])
  return {stream, browser, tabA, tabB, a, b, connection}
}

const said = ({status, headers, url, redirected, transport}: OpenEvent) => ({
  status,
  headers: Object.fromEntries(headers),
  url,
  redirected,
  transport,
})

describe('[ext] SharedEventSource: the open event', () => {
  it("a follower's open carries the leader's response, relayed; so does that of an instance that joins later", async () => {
    const {tabB, a, b} = await leaderAndFollower()
    const leader = said(a.opens[0]!)
    expect(leader).toEqual({
      status: 200,
      headers: {'content-type': 'text/event-stream', 'x-request-id': '1'},
      url: STREAM_URL,
      redirected: false,
      transport: 'stream',
    })
    expect(b.opens[0]).toBeInstanceOf(OpenEvent)
    expect(said(b.opens[0]!)).toEqual(leader)
    const late = open(tabB) // a second instance in the follower's tab, on a stream that is open
    await until(() => late.opens.length === 1, 'the late instance told')
    expect(said(late.opens[0]!)).toEqual(leader)
  })
})

describe('[ext] SharedEventSource: signal', () => {
  it('aborting closes this instance only: the other instances of its tab and the other tabs go on', async () => {
    const {tabB, a, b, connection} = await leaderAndFollower()
    const controller = new AbortController()
    const c = open(tabB, {signal: controller.signal})
    await until(() => c.log.includes('open:1'), 'the third instance told')
    controller.abort()
    expect(c.source.readyState).toBe(2)
    connection.send('data: 1\n\n')
    await until(() => a.log.includes('message:1') && b.log.includes('message:1'), 'the others’ message')
    expect(c.log).toEqual(['open:1'])
    expect(connection.aborted).toBe(false)
  })

  it("aborting the leader's only instance hands the stream over, as its close() does", async () => {
    const controller = new AbortController()
    const stream = mockStream()
    const browser = new FakeBrowser()
    const [tabA, tabB] = [browser.tab(), browser.tab()]
    const a = open(tabA, {signal: controller.signal})
    const first = await stream.open({headers: {'x-request-id': '1'}})
    const b = open(tabB)
    await until(() => b.log.includes('open:1'), 'the follower told')
    controller.abort()
    expect(first.aborted).toBe(true)
    await flush()
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW) // B takes the lock, asks what every tab saw, then connects
    // The hand-over does not show (B stays OPEN, with no second open event): the new connection's events reach it.
    const second = await stream.open({headers: {'x-request-id': '2'}})
    second.send('data: 2\n\n')
    await until(() => b.log.includes('message:2'), 'the new leader’s message')
    expect([a.source.readyState, b.source.role, b.log.filter((entry) => entry.startsWith('open'))]).toEqual([
      2,
      'leader',
      ['open:1'],
    ])
  })

  it('an already aborted signal: no lock, no channel, no request', async () => {
    const stream = mockStream()
    const browser = new FakeBrowser()
    const source = new SharedEventSource(STREAM_URL, {signal: AbortSignal.abort(), sharing: browser.tab().environment})
    await flush()
    expect(source.readyState).toBe(2)
    expect(browser.openChannels).toBe(0)
    expect(browser.lockState()).toEqual({holder: undefined, waiting: 0})
    expect(stream.connections).toHaveLength(0)
  })
})

describe('[ext] SharedEventSource: reconnect()', () => {
  it("from a follower: the leader's connection reconnects now with the Last-Event-ID; every tab sees it", async () => {
    const {stream, a, b, connection} = await leaderAndFollower()
    connection.send('id: 5\ndata: 5\n\n')
    await until(() => b.log.includes('message:5'), 'the message everywhere')
    b.source.reconnect()
    await until(() => connection.aborted, 'the leader drops its connection')
    expect([a.source.readyState, b.source.readyState]).toEqual([0, 0])
    const second = await stream.open({headers: {'x-request-id': '2'}})
    expect(second.request.headers.get('last-event-id')).toBe('5')
    await until(() => a.log.includes('open:2') && b.log.includes('open:2'), 'open again everywhere')
    expect([a.source.readyState, b.source.readyState]).toEqual([1, 1])
    expect(b.log).toEqual(['open:1', 'message:5', 'open:2'])
    expect(stream.connections).toHaveLength(2)
  })

  it('from the leader: the same, at once', async () => {
    const {stream, a, b, connection} = await leaderAndFollower()
    a.source.reconnect()
    expect(connection.aborted).toBe(true)
    expect(a.source.readyState).toBe(0)
    await stream.open({headers: {'x-request-id': '2'}})
    await until(() => b.log.includes('open:2'), 'the follower told')
    expect(a.log).toEqual(['open:1', 'open:2'])
  })

  it('a closed instance joins the running stream again; after a fatal error, the caller starts it again', async () => {
    const {stream, a, b} = await leaderAndFollower()
    b.source.close()
    b.source.reconnect() // the stream runs on: no new request
    await until(() => b.log.filter((entry) => entry === 'open:1').length === 2, 'told the stream is open')
    expect(stream.connections).toHaveLength(1)
    a.source.reconnect()
    ;(await stream.next()).respond({status: 401, body: ''})
    await until(() => a.log.includes('error:2:http-status') && b.log.includes('error:2:http-status'), 'closed')
    b.source.reconnect() // the token is fixed: B starts the stream again, and leads it
    await stream.open({headers: {'x-request-id': '3'}})
    await until(() => b.log.includes('open:3'), 'open again')
    expect([a.source.readyState, b.source.readyState, b.source.role]).toEqual([2, 1, 'leader'])
  })
})
