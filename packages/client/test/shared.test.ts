import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {EventSource, HoldfastError} from '../src/index'
import {events as iterate, type EventIterator} from '../src/iterate'
import {autoTransport, pollTransport, TransportChangeEvent} from '../src/polling'
import {SharedEventSource, type SharedEventSourceInit} from '../src/shared'
import {BACKLOG} from '../src/shared/backlog'
import {WELCOME_WAIT} from '../src/shared/catch-up'
import {CLAIM_WINDOW, PROTOCOL, STEAL_JITTER} from '../src/shared/protocol'
import type {TransportName, TransportStrategy} from '../src/transport-strategy'
import {FakeBrowser, type FakeTab} from './fake-tabs'
import {flush, mockStream, STREAM_URL, until, useFakeClock, useMockServer} from './harness'

useMockServer()
beforeEach(() => useFakeClock())

const sources: SharedEventSource[] = []
afterEach(() => {
  for (const source of sources.splice(0)) source.close()
})

/** A SharedEventSource in `tab`, with a recorder of what it fires. */
function open(tab: FakeTab, init: SharedEventSourceInit = {}, types: string[] = []) {
  const source = new SharedEventSource(STREAM_URL, {
    jitter: 0,
    idleTimeout: 5000,
    retryDelay: 100,
    ...init,
    sharing: tab.environment,
  })
  sources.push(source)
  const log: string[] = []
  source.addEventListener('open', () => log.push(`open:${source.readyState}`))
  source.addEventListener('error', (event) => log.push(`error:${source.readyState}:${event.error?.code}`))
  source.addEventListener('rolechange', () => log.push(`role:${source.role}`))
  for (const type of ['message', ...types])
    source.addEventListener(type, (event) => log.push(`${type}:${(event as MessageEvent).data}:${source.lastEventId}`))
  return {source, log}
}

/** Events with ids `from`..`to`, as one chunk. */
function events(from: number, to: number, type?: string): string {
  let chunk = ''
  for (let id = from; id <= to; id++) chunk += `${type ? `event: ${type}\n` : ''}id: ${id}\ndata: ${id}\n\n`
  return chunk
}

const messages = (log: string[]) => log.filter((entry) => entry.startsWith('message:'))

/** Tab A leads an open stream; tab B follows and was told it is open. */
async function leaderAndFollower() {
  const stream = mockStream()
  const browser = new FakeBrowser()
  const [tabA, tabB] = [browser.tab(), browser.tab()]
  const a = open(tabA)
  const connection = await stream.open()
  const b = open(tabB)
  await until(() => b.log.includes('open:1'), 'the follower told the stream is open')
  return {stream, browser, tabA, tabB, a, b, connection}
}

describe('[ext] SharedEventSource: one connection for every tab of an origin', () => {
  it('the first tab leads and runs the only connection; the others follow and see everything it sees', async () => {
    const stream = mockStream()
    const browser = new FakeBrowser()
    const [tabA, tabB] = [browser.tab(), browser.tab()]
    const a = open(tabA, {}, ['price'])
    const connection = await stream.open()
    await until(() => a.source.readyState === 1, 'the leader open')
    const b = open(tabB)
    await until(() => b.log.includes('open:1'), 'the follower told the stream is open')
    expect([a.source.role, b.source.role]).toEqual(['leader', 'follower'])
    b.source.addEventListener('price', (event) => b.log.push(`price:${event.data}:late listener`))
    connection.send(events(1, 2) + events(3, 3, 'price'))
    await until(() => b.log.length === 4, 'the follower’s events')
    expect(b.log).toEqual(['open:1', 'message:1:1', 'message:2:2', 'price:3:late listener'])
    expect(a.log).toEqual(['role:leader', 'open:1', 'message:1:1', 'message:2:2', 'price:3:3'])
    expect([b.source.lastEventId, b.source.stats.messages, b.source.stats.connections]).toEqual(['3', 3, 1])
    expect(stream.connections).toHaveLength(1)
  })

  it('relays the events of one network chunk in one message', async () => {
    const {browser, b, connection} = await leaderAndFollower()
    const before = browser.posted.length
    connection.send(events(1, 50))
    await until(() => messages(b.log).length === 50, 'fifty events')
    const batches = browser.posted.slice(before).filter(({data}) => (data as {kind: string}).kind === 'batch')
    expect(batches).toHaveLength(1)
  })

  it('instances in one tab share the tab’s part: one lock request, one channel, one connection', async () => {
    const stream = mockStream()
    const browser = new FakeBrowser()
    const tab = browser.tab()
    const first = open(tab)
    const second = open(tab)
    const connection = await stream.open()
    connection.send(events(1, 1))
    await until(() => messages(second.log).length === 1 && messages(first.log).length === 1, 'both')
    expect(browser.openChannels).toBe(1)
    expect(stream.connections).toHaveLength(1)
    first.source.close() // local: the other instance goes on
    connection.send(events(2, 2))
    await until(() => messages(second.log).length === 2, 'the second event')
    expect(first.source.readyState).toBe(2)
    second.source.close() // the last one ends the stream
    await flush()
    expect(connection.aborted).toBe(true)
    expect(browser.openChannels).toBe(0)
    expect(browser.lockState()).toEqual({holder: undefined, waiting: 0})
  })
  it('a second instance in a tab whose stream is open is CONNECTING until its own open event', async () => {
    const {tabB, b} = await leaderAndFollower()
    expect(b.source.readyState).toBe(1)
    const second = new SharedEventSource(STREAM_URL, {sharing: tabB.environment})
    sources.push(second)
    const states: number[] = [second.readyState]
    second.addEventListener('open', () => states.push(second.readyState))
    await until(() => states.length === 2, 'its open event')
    expect(states).toEqual([0, 1])
  })

  it('an instance opened inside a listener hears the stream from its own open event', async () => {
    const {tabA, a, connection} = await leaderAndFollower()
    let late: ReturnType<typeof open> | undefined
    const states: number[] = []
    a.source.addEventListener('message', () => {
      if (late) return
      late = open(tabA)
      late.source.addEventListener('message', () => states.push(late!.source.readyState))
    })
    connection.send(events(1, 3)) // the new instance is created inside event 1's listener
    await until(() => late?.log.includes('open:1') === true, 'its open event')
    connection.send(events(4, 4))
    await until(() => messages(late!.log).length === 1, 'event 4')
    expect([late!.log, states]).toEqual([['open:1', 'message:4:4'], [1]])
  })

  it('the leader’s tab closing its last instance inside a listener keeps nothing of the chunk from the others', async () => {
    const {stream, a, b, connection} = await leaderAndFollower()
    a.source.addEventListener('message', () => a.source.close())
    connection.send(events(1, 3))
    await until(() => messages(b.log).length === 3, 'the whole chunk in B')
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    const second = await stream.next()
    expect(second.request.headers.get('last-event-id')).toBe('3')
  })
})

describe('[ext] hand-over', () => {
  /** Tab A leads with events 1-3 delivered everywhere; B and C follow. */
  async function threeTabs() {
    const stream = mockStream()
    const browser = new FakeBrowser()
    const tabs = [browser.tab(), browser.tab(), browser.tab()] as const
    const a = open(tabs[0])
    const first = await stream.open()
    const b = open(tabs[1])
    const c = open(tabs[2])
    await until(() => c.log.includes('open:1') && b.log.includes('open:1'), 'followers open')
    first.send(events(1, 3))
    await until(() => messages(c.log).length === 3 && messages(b.log).length === 3, 'events 1-3')
    return {stream, browser, tabs, a, b, c, first}
  }

  it.each(['close()', 'pagehide', 'a crash'])(
    'when the leader goes away (%s), the next tab takes over with the newest id: nothing lost, nothing twice',
    async (how) => {
      const {stream, browser, tabs, a, b, c, first} = await threeTabs()
      if (how === 'close()') a.source.close()
      else if (how === 'pagehide') tabs[0].lifecycle(false)
      else browser.crash(tabs[0])
      await until(() => first.aborted || how === 'a crash', 'the old connection released')
      await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
      const second = await stream.next()
      expect(second.request.headers.get('last-event-id')).toBe('3')
      expect([b.source.role, c.source.role]).toEqual(['leader', 'follower'])
      second.respond()
      second.send(events(4, 5))
      await until(() => messages(c.log).length === 5 && messages(b.log).length === 5, 'events 4-5')
      for (const log of [b.log, c.log])
        expect(messages(log).map((entry) => entry.split(':')[1])).toEqual(['1', '2', '3', '4', '5'])
      expect(b.log.filter((entry) => entry.startsWith('role:'))).toEqual(['role:leader'])
      expect(stream.connections).toHaveLength(2)
    },
  )

  it('the new leader asks every tab and resumes from the newest id any of them saw', async () => {
    const {stream, browser, tabs, a, b, c, first} = await threeTabs()
    // Tab B misses event 4 (its page was paused meanwhile); C has it.
    tabs[1].frozen = true
    first.send(events(4, 4))
    await until(() => messages(c.log).length === 4, 'C has event 4')
    tabs[1].frozen = false
    a.source.close()
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    const second = await stream.next()
    expect(second.request.headers.get('last-event-id')).toBe('4')
    expect(b.source.lastEventId).toBe('4')
    void browser
  })

  it('a follower that missed the claim drops what the new leader replays that it already delivered', async () => {
    const {stream, tabs, a, b, c} = await threeTabs()
    // C is paused through the claim: B resumes from its own newest id, 3, although C got no further either way;
    // the server here replays from 2 (a server with a coarser replay window), so 3 comes again.
    tabs[2].frozen = true
    a.source.close()
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    tabs[2].frozen = false
    const second = await stream.next()
    second.respond()
    second.send(events(3, 4))
    await until(() => messages(c.log).length === 4, 'C: event 4')
    expect(messages(c.log).map((entry) => entry.split(':')[1])).toEqual(['1', '2', '3', '4'])
    expect(c.source.stats.duplicates).toBe(1)
    void b
  })
})

describe('[ext] hand-over: what each tab delivers', () => {
  /** Tabs A (leading), B and C with events 1-3 everywhere; B is next in the lock's queue. */
  async function threeTabs() {
    const stream = mockStream()
    const browser = new FakeBrowser()
    const tabs = [browser.tab(), browser.tab(), browser.tab()] as const
    const a = open(tabs[0])
    const first = await stream.open()
    const b = open(tabs[1])
    const c = open(tabs[2])
    await until(() => c.log.includes('open:1') && b.log.includes('open:1'), 'followers open')
    first.send(events(1, 3))
    await until(() => messages(c.log).length === 3 && messages(b.log).length === 3, 'events 1-3')
    return {stream, browser, tabs, a, b, c, first}
  }
  /** A log's messages as `data:lastEventId`. */
  const delivered = (log: string[]) => messages(log).map((entry) => entry.slice('message:'.length))

  it('events without an id from the new leader reach every tab, carrying the id it resumed from', async () => {
    const {stream, a, b, c} = await threeTabs()
    a.source.close()
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    const second = await stream.open()
    expect(second.request.headers.get('last-event-id')).toBe('3')
    // A greeting on every connection, and a stream that gives ids to some events only.
    second.send('data: hello\n\n' + events(4, 4) + 'data: no id\n\n')
    await until(() => messages(c.log).length === 6 && messages(b.log).length === 6, 'six events')
    const expected = ['1:1', '2:2', '3:3', 'hello:3', '4:4', 'no id:4']
    expect([delivered(b.log), delivered(c.log)]).toEqual([expected, expected])
    expect([b.source.stats.duplicates, c.source.stats.duplicates]).toEqual([0, 0])
  })

  it('a claimant that hears the old leader’s last batch after the lock’s grant delivers it, and resumes after it', async () => {
    const {stream, browser, tabs, a, b, c, first} = await threeTabs()
    // The browser orders neither a BroadcastChannel message and a lock grant, nor messages of different tabs.
    tabs[1].holdMessages(tabs[0])
    first.send(events(4, 4))
    await until(() => messages(c.log).length === 4, 'C has event 4')
    a.source.close()
    await until(() => browser.lockState().holder === tabs[1], 'B granted the lock')
    await flush() // B claims; C answers that it saw event 4
    tabs[1].releaseMessages() // the batch of event 4 reaches B only now
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    const second = await stream.open()
    expect(second.request.headers.get('last-event-id')).toBe('4')
    second.send(events(5, 5))
    await until(() => messages(c.log).length === 5 && messages(b.log).length === 5, 'event 5')
    const expected = ['1:1', '2:2', '3:3', '4:4', '5:5']
    expect([delivered(b.log), delivered(c.log)]).toEqual([expected, expected])
  })

  it('a follower that hears the old leader’s last batch after the claim delivers it too', async () => {
    const {stream, browser, tabs, a, b, c, first} = await threeTabs()
    tabs[2].holdMessages(tabs[0])
    first.send(events(4, 4))
    await until(() => messages(b.log).length === 4, 'B has event 4')
    a.source.close()
    await until(() => browser.lockState().holder === tabs[1], 'B granted the lock')
    await flush() // C hears the claim, and answers with what it has: event 3
    tabs[2].releaseMessages() // the batch of event 4 reaches C only now
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    const second = await stream.open()
    expect(second.request.headers.get('last-event-id')).toBe('4')
    second.send(events(5, 5))
    await until(() => messages(c.log).length === 5 && messages(b.log).length === 5, 'event 5')
    const expected = ['1:1', '2:2', '3:3', '4:4', '5:5']
    expect([delivered(b.log), delivered(c.log)]).toEqual([expected, expected])
  })

  it('the new leader’s tab drops what the server replays that it already had, as the followers do', async () => {
    const {stream, a, b, c} = await threeTabs()
    a.source.close()
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    const second = await stream.open()
    second.send(events(3, 4)) // a server that replays the resume id itself
    await until(() => messages(c.log).length === 4 && messages(b.log).length === 4, 'event 4')
    const expected = ['1:1', '2:2', '3:3', '4:4']
    expect([delivered(b.log), delivered(c.log)]).toEqual([expected, expected])
    expect([b.source.stats.duplicates, c.source.stats.duplicates]).toEqual([1, 1])
  })

  it('a hand-over does not show: every tab stays OPEN, and no second open event fires', async () => {
    const {stream, a, b, c} = await threeTabs()
    a.source.close()
    await flush()
    expect([b.source.readyState, c.source.readyState]).toEqual([1, 1])
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    const second = await stream.open()
    second.send(events(4, 4))
    await until(() => messages(c.log).length === 4 && messages(b.log).length === 4, 'event 4')
    const opens = (log: string[]) => log.filter((entry) => entry.startsWith('open')).length
    expect([opens(b.log), opens(c.log)]).toEqual([1, 1])
  })

  it('a tab away through a hand-over gets, back, what it missed from the new leader, of both terms', async () => {
    const {stream, tabs, a, b, c, first} = await threeTabs()
    tabs[2].lifecycle(false) // C into the back/forward cache
    first.send(events(4, 5))
    await until(() => messages(b.log).length === 5, 'B has events 4-5')
    a.source.close()
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    const second = await stream.open()
    second.send(events(6, 6))
    await until(() => messages(b.log).length === 6, 'B has event 6')
    tabs[2].lifecycle(true) // C back: B answers from what it delivered, as a follower too
    await until(() => messages(c.log).length === 6, 'C caught up')
    second.send(events(7, 7))
    await until(() => messages(c.log).length === 7, 'event 7')
    expect(delivered(c.log)).toEqual(['1:1', '2:2', '3:3', '4:4', '5:5', '6:6', '7:7'])
  })

  it('a tab that joins while no leader answers learns the last id from the others, and resumes from it', async () => {
    const {stream, browser, tabs, a, b, c} = await threeTabs()
    tabs[0].pause() // the leader's page is paused in the debugger: it answers nobody
    const d = open(browser.tab())
    await flush()
    browser.crash(tabs[0]) // and is gone; B and C go too, and D, next, takes over
    a.source.close()
    b.source.close()
    c.source.close()
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    const second = await stream.next()
    expect(second.request.headers.get('last-event-id')).toBe('3')
    expect(d.source.role).toBe('leader')
  })

  it('a tab back from the cache follows a tab that began the stream afresh meanwhile, at once', async () => {
    const stream = mockStream()
    const browser = new FakeBrowser()
    const [tabA, tabB] = [browser.tab(), browser.tab()]
    const a = open(tabA)
    const first = await stream.open()
    first.send(events(1, 1))
    await until(() => messages(a.log).length === 1, 'event 1')
    tabA.lifecycle(false) // A, alone, into the cache: its lock goes, and no tab leads
    const b = open(tabB) // B knows of no leader: it begins the stream, with the first term it can number
    const second = await stream.open()
    await until(() => b.log.includes('open:1'), 'B open')
    tabA.lifecycle(true)
    second.send(events(2, 2))
    await until(() => messages(a.log).length === 2, 'A hears B')
    expect([a.source.role, b.source.role, stream.connections.length]).toEqual(['follower', 'leader', 2])
  })
})

describe('[ext] hand-over of a request that is not re-sent', () => {
  it('a POST stream closes in every tab when its leader goes away, instead of being sent again', async () => {
    const stream = mockStream()
    const browser = new FakeBrowser()
    const [tabA, tabB, tabC] = [browser.tab(), browser.tab(), browser.tab()]
    const init = {method: 'POST', body: 'q'}
    const a = open(tabA, init)
    const first = await stream.open()
    const b = open(tabB, init)
    const c = open(tabC, init)
    await until(() => b.log.includes('open:1') && c.log.includes('open:1'), 'followers open')
    first.send(events(1, 1))
    await until(() => messages(c.log).length === 1, 'event 1')
    a.source.close()
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    await until(() => c.source.readyState === 2 && b.source.readyState === 2, 'every tab closed')
    expect([b.log.at(-1), c.log.at(-1)]).toEqual(['error:2:stream-ended', 'error:2:stream-ended'])
    expect(stream.connections).toHaveLength(1)
    expect(browser.openChannels).toBe(0)
    expect(browser.lockState()).toEqual({holder: undefined, waiting: 0})
    expect(vi.getTimerCount()).toBe(0)
  })

  it('a tab that joins while the new leader claims, and takes over from it, does not send the POST again', async () => {
    const stream = mockStream()
    const browser = new FakeBrowser()
    const [tabA, tabB, tabC] = [browser.tab(), browser.tab(), browser.tab()]
    const init = {method: 'POST', body: 'q'}
    const a = open(tabA, init)
    await stream.open()
    const b = open(tabB, init)
    await until(() => b.log.includes('open:1'), 'B open')
    a.source.close()
    await until(() => browser.lockState().holder === tabB, 'B claims')
    const c = open(tabC, init) // no leader answers it: B only claims, and B goes before it would decide
    await flush()
    b.source.close()
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    await until(() => c.source.readyState === 2, 'C closed')
    expect([c.log.at(-1), stream.connections.length]).toEqual(['error:2:stream-ended', 1])
  })

  it.each([
    ['retryNonGet: true', {retryNonGet: true}],
    ['shouldRetry → true', {shouldRetry: () => true}],
  ])('with %s, a new leader sends it again, as a reconnection would', async (_name, options) => {
    const stream = mockStream()
    const browser = new FakeBrowser()
    const init = {method: 'POST', body: 'q', ...options}
    const a = open(browser.tab(), init)
    await stream.open()
    const b = open(browser.tab(), init)
    await until(() => b.log.includes('open:1'), 'the follower open')
    a.source.close()
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    const second = await stream.next()
    expect([second.request.method, await second.request.text()]).toEqual(['POST', 'q'])
    expect(b.source.role).toBe('leader')
  })

  it('a GET stream whose shouldRetry says no closes at a hand-over, as at a reconnection', async () => {
    const stream = mockStream()
    const browser = new FakeBrowser()
    const seen: string[] = []
    const init = {
      shouldRetry: (error: {code: string}) => {
        seen.push(error.code)
        return false
      },
    }
    const a = open(browser.tab(), init)
    await stream.open()
    const b = open(browser.tab(), init)
    await until(() => b.log.includes('open:1'), 'the follower open')
    a.source.close()
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    await until(() => b.source.readyState === 2, 'closed')
    expect([seen, b.log.at(-1), stream.connections.length]).toEqual([['stream-ended'], 'error:2:stream-ended', 1])
  })
})

describe('[ext] no zombie leader', () => {
  it('followers steal from a silent leader after its idle timeout and jitter, once per term; the old leader stops', async () => {
    const stream = mockStream()
    const browser = new FakeBrowser()
    const [tabA, tabB, tabC] = [browser.tab(), browser.tab(), browser.tab()]
    const a = open(tabA)
    const first = await stream.open()
    const b = open(tabB)
    const c = open(tabC)
    tabC.random = 0.9 // B's jitter is shorter: B steals first
    await until(() => c.log.includes('open:1'), 'open')
    first.send(events(1, 1))
    await until(() => messages(c.log).length === 1, 'event 1')
    tabA.frozen = true // a paused debugger: it keeps its lock and says nothing
    await vi.advanceTimersByTimeAsync(5000 + 0.5 * STEAL_JITTER)
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    expect(b.source.role).toBe('leader')
    await flush()
    // (This fake cannot stop A's own timers: its watchdog, which a real freeze would stop too, reconnected meanwhile.
    // The request that counts is the one still open: B's.)
    const live = stream.connections.filter((connection) => !connection.aborted)
    expect(live).toHaveLength(1)
    const second = live[0]!
    expect(second.request.headers.get('last-event-id')).toBe('1')
    expect(c.source.role).toBe('follower')
    second.respond()
    second.send(events(2, 2))
    await until(() => messages(c.log).length === 2, 'event 2 from the new leader')
    // The old leader wakes up: its lock is gone, it stops relaying at once and follows.
    tabA.frozen = false
    await flush()
    expect(a.source.role).toBe('follower')
    expect(first.aborted).toBe(true)
    first.send(events(99, 99)) // too late: never relayed
    second.send(events(3, 3))
    await until(() => messages(c.log).length === 3 && messages(b.log).length === 3, 'event 3')
    expect(messages(c.log).map((entry) => entry.split(':')[1])).toEqual(['1', '2', '3'])
    expect(messages(b.log).map((entry) => entry.split(':')[1])).toEqual(['1', '2', '3'])
    // What was relayed while A's page was paused never reached it (a paused page loses BroadcastChannel messages):
    // A hears a term it missed the start of, and the new leader's welcome brings event 2, before event 3.
    await until(() => messages(a.log).length === 3, 'A caught up')
    expect(messages(a.log).map((entry) => entry.split(':')[1])).toEqual(['1', '2', '3'])
    expect(stream.connections.filter((connection) => !connection.aborted)).toEqual([second])
  })

  it('two followers that steal at once end with one leader and one connection; a new leader that falls silent is stolen from too', async () => {
    const stream = mockStream()
    const browser = new FakeBrowser()
    const [tabA, tabB, tabC] = [browser.tab(), browser.tab(), browser.tab()]
    open(tabA)
    await stream.open()
    const b = open(tabB)
    const c = open(tabC)
    await until(() => c.log.includes('open:1') && b.log.includes('open:1'), 'open')
    tabA.frozen = true
    await vi.advanceTimersByTimeAsync(5000 + 0.5 * STEAL_JITTER) // same jitter: both steal
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    await flush()
    const roles = [b.source.role, c.source.role].sort()
    expect(roles).toEqual(['follower', 'leader'])
    const live = () => stream.connections.filter((connection) => !connection.aborted)
    expect(live()).toHaveLength(1)
    const [leader, follower] = b.source.role === 'leader' ? [tabB, c] : [tabC, b]
    live()[0]!.respond()
    leader.frozen = true // and now the new leader freezes as well: the other follower's watchdog still runs
    for (let second = 0; second < 60 && follower.source.role !== 'leader'; second++)
      await vi.advanceTimersByTimeAsync(1000)
    expect(follower.source.role).toBe('leader')
  })

  it('a follower whose own idle timeout is shorter measures the leader by the leader’s', async () => {
    const stream = mockStream()
    const browser = new FakeBrowser()
    open(browser.tab(), {idleTimeout: 30_000})
    const connection = await stream.open()
    const b = open(browser.tab(), {idleTimeout: 1000})
    await until(() => b.log.includes('open:1'), 'open')
    for (let second = 0; second < 60; second++) {
      connection.send(':\n')
      await vi.advanceTimersByTimeAsync(1000)
    }
    expect(b.source.role).toBe('follower')
    expect(stream.connections).toHaveLength(1)
  })

  it('a quiet stream is not a silent leader: the leader says it is alive', async () => {
    const {stream, connection, b} = await leaderAndFollower()
    for (let second = 0; second < 60; second++) {
      connection.send(':\n') // the server's heartbeat, and never an event: twelve idle timeouts' worth
      await vi.advanceTimersByTimeAsync(1000)
    }
    expect(b.source.role).toBe('follower')
    expect(stream.connections).toHaveLength(1)
  })
})

describe('[ext] a tab that missed messages catches up', () => {
  const ids = (log: string[]) => messages(log).map((entry) => entry.split(':')[1])
  const range = (from: number, to: number) => Array.from({length: to - from + 1}, (_, index) => String(from + index))

  it('a follower whose page was paused gets what it missed from the leader, then what followed: in order, once', async () => {
    const {browser, tabB, b, connection} = await leaderAndFollower()
    connection.send(events(1, 2))
    await until(() => messages(b.log).length === 2, 'events 1-2')
    tabB.frozen = true // a paused page: BroadcastChannel messages to it are lost
    connection.send(events(3, 4))
    connection.send(events(5, 6))
    await flush()
    tabB.frozen = false
    const before = browser.posted.length
    connection.send(events(7, 7)) // B hears a number skipped: it asks, and holds 7 back until the answer
    await until(() => messages(b.log).length === 7, 'B caught up')
    expect(ids(b.log)).toEqual(range(1, 7))
    const welcome = browser.posted.slice(before).map(({data}) => data as {kind: string})
    expect(welcome.map((message) => message.kind)).toEqual(['batch', 'hello', 'welcome', 'state'])
    expect(b.source.stats.duplicates).toBe(0)
    expect(b.source.lastEventId).toBe('7')
  })

  it('a tab back from the back/forward cache gets what was relayed while it was away', async () => {
    const {tabB, b, connection} = await leaderAndFollower()
    connection.send(events(1, 1))
    await until(() => messages(b.log).length === 1, 'event 1')
    tabB.lifecycle(false) // pagehide: B leaves the channel
    connection.send(events(2, 3))
    await flush()
    tabB.lifecycle(true) // pageshow: B joins again, and says what it had
    await until(() => messages(b.log).length === 3, 'B caught up')
    connection.send(events(4, 4))
    await until(() => messages(b.log).length === 4, 'event 4')
    expect(ids(b.log)).toEqual(range(1, 4))
    expect(b.source.role).toBe('follower')
  })

  it('a tab back while the leader reconnects delivers what it missed as an open stream does', async () => {
    const {tabB, b, connection} = await leaderAndFollower()
    const states: number[] = []
    b.source.addEventListener('message', () => states.push(b.source.readyState))
    connection.send(events(1, 1))
    await until(() => messages(b.log).length === 1, 'event 1')
    tabB.lifecycle(false)
    connection.send(events(2, 3))
    await flush()
    connection.fail() // the leader's stream drops: it reconnects while B is away
    await flush()
    tabB.lifecycle(true)
    await until(() => messages(b.log).length === 3, 'B caught up')
    expect([ids(b.log), states]).toEqual([range(1, 3), [1, 1, 1]])
  })

  it('a tab back from the cache gets an event without an id that followed its last id, from a leader that lacks that id’s event', async () => {
    const stream = mockStream()
    const browser = new FakeBrowser()
    const [tabA, tabB] = [browser.tab(), browser.tab()]
    const a = open(tabA)
    const first = await stream.open()
    first.send(events(1, 1))
    await until(() => messages(a.log).length === 1, 'event 1')
    const b = open(tabB) // B joins after event 1: its backlog never holds it
    await until(() => b.log.includes('open:1'), 'B open')
    tabA.lifecycle(false) // A into the cache: B takes over from id 1
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    const second = await stream.open()
    expect(second.request.headers.get('last-event-id')).toBe('1')
    second.send('data: after\n\n')
    await until(() => messages(b.log).length === 1, 'B has it')
    tabA.lifecycle(true) // A had id 1: the first message B holds that carries it is one A lacks
    await until(() => messages(a.log).length === 2, 'A caught up')
    expect(messages(a.log)).toEqual(['message:1:1', 'message:after:1'])
  })

  it('beyond the backlog, a tab gets the backlog and what follows, and nothing twice', async () => {
    const {tabB, b, connection} = await leaderAndFollower()
    connection.send(events(1, 1))
    await until(() => messages(b.log).length === 1, 'event 1')
    tabB.frozen = true
    const last = 1 + 100 * Math.ceil((BACKLOG + 100) / 100) // more than the backlog holds, in chunks of 100
    for (let id = 2; id < last; id += 100) connection.send(events(id, id + 99))
    await flush()
    tabB.frozen = false
    connection.send(events(last + 1, last + 1))
    await until(() => ids(b.log).at(-1) === String(last + 1), 'the event after the gap')
    const received = ids(b.log)
    // The first batches fell out of the backlog; every later one arrived once, in order.
    expect(received[0]).toBe('1')
    const resumedAt = Number(received[1])
    expect(resumedAt).toBeGreaterThan(2)
    expect(received.slice(1)).toEqual(range(resumedAt, last + 1))
    // The backlog held the latest batches that fit in BACKLOG messages: ten of 100, then the event after them.
    expect(received.length - 1).toBe(Math.floor(BACKLOG / 100) * 100 + 1)
  })

  it('without an answer (a paused leader), a tab delivers what it held back after a while, and releases the wait', async () => {
    const {tabA, tabB, b, a, connection} = await leaderAndFollower()
    connection.send(events(1, 1))
    await until(() => messages(b.log).length === 1, 'event 1')
    tabB.lifecycle(false)
    tabA.frozen = true // the leader's page is paused: B's question goes unheard
    tabB.lifecycle(true)
    await flush()
    tabA.frozen = false
    connection.send(events(2, 2))
    await flush()
    expect(ids(b.log)).toEqual(['1']) // held back, waiting for the welcome
    await vi.advanceTimersByTimeAsync(WELCOME_WAIT)
    expect(ids(b.log)).toEqual(['1', '2'])
    a.source.close()
    b.source.close()
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('[ext] the transport of a shared stream', () => {
  /** A strategy whose transport the test switches, firing `transportchange` where a strategy of its own would. */
  function switchable(): {strategy: TransportStrategy; switchTo: (next: TransportName) => void} {
    let current: TransportName = 'stream'
    let target: EventTarget | undefined
    const strategy: TransportStrategy = (_url, _options, _counters, owner) => {
      target = owner
      return {transport: current, url: (to) => to, ended: () => false, failed() {}, close() {}}
    }
    const switchTo = (next: TransportName) => {
      const previous = current
      current = next
      target?.dispatchEvent(new TransportChangeEvent(next, previous, 'buffering'))
    }
    return {strategy, switchTo}
  }

  /** What `source` says of its transport: the value, and every `transportchange`. */
  function transports(source: SharedEventSource): string[] {
    const seen: string[] = []
    source.addEventListener('transportchange', (event) => {
      if (event instanceof TransportChangeEvent) seen.push(`${event.previous}→${event.transport}:${event.reason}`)
    })
    return seen
  }

  it('every tab sees the leader’s transport and its transportchange, as a source of its own would', async () => {
    const {strategy, switchTo} = switchable()
    const stream = mockStream()
    const browser = new FakeBrowser()
    const a = open(browser.tab(), {transport: strategy})
    await stream.open()
    const b = open(browser.tab())
    await until(() => b.log.includes('open:1'), 'the follower open')
    const [seenA, seenB] = [transports(a.source), transports(b.source)]
    expect([a.source.transport, b.source.transport]).toEqual(['stream', 'stream'])
    switchTo('poll')
    await until(() => seenB.length === 1, 'the follower told')
    expect([a.source.transport, b.source.transport]).toEqual(['poll', 'poll'])
    expect([seenA, seenB]).toEqual([['stream→poll:buffering'], ['stream→poll:buffering']])
  })

  it('a tab that joins a polled stream knows it without an event; a new leader with another strategy says so', async () => {
    const stream = mockStream()
    const browser = new FakeBrowser()
    const [tabA, tabB] = [browser.tab(), browser.tab()]
    const a = open(tabA, {transport: pollTransport({pollTimeout: 1000})})
    const first = await stream.open()
    expect(first.url.searchParams.get('transport')).toBe('poll')
    const b = open(tabB) // B's own options stream
    const seenB = transports(b.source)
    await until(() => b.log.includes('open:1'), 'the follower open')
    expect([a.source.transport, b.source.transport, seenB]).toEqual(['poll', 'poll', []])
    a.source.close()
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    const second = await stream.next()
    expect(second.url.searchParams.has('transport')).toBe(false)
    expect([b.source.role, b.source.transport, seenB]).toEqual(['leader', 'stream', ['poll→stream:handover']])
  })
})

describe('[ext] closing', () => {
  it('a fatal error closes the stream in every tab', async () => {
    const stream = mockStream()
    const browser = new FakeBrowser()
    const [tabA, tabB] = [browser.tab(), browser.tab()]
    const a = open(tabA)
    const b = open(tabB)
    ;(await stream.next()).respond({status: 401, body: ''})
    await until(() => b.log.some((entry) => entry.startsWith('error')), 'the follower’s error')
    expect(a.log.at(-1)).toBe('error:2:http-status')
    expect(b.log.at(-1)).toBe('error:2:http-status')
    expect([a.source.readyState, b.source.readyState]).toEqual([2, 2])
    expect(browser.openChannels).toBe(0)
    expect(browser.lockState()).toEqual({holder: undefined, waiting: 0})
    expect(vi.getTimerCount()).toBe(0)
  })

  it('a source opened inside a fatal error’s listener gets a fresh stream (a token refreshed, say)', async () => {
    const stream = mockStream()
    const browser = new FakeBrowser()
    const [tabA, tabB] = [browser.tab(), browser.tab()]
    const a = open(tabA)
    const b = open(tabB)
    const again: Array<ReturnType<typeof open>> = []
    for (const [tab, {source}] of [
      [tabA, a],
      [tabB, b],
    ] as const)
      source.addEventListener('error', () => {
        if (source.readyState === 2) again.push(open(tab))
      })
    ;(await stream.next()).respond({status: 401, body: ''})
    await until(() => again.length === 2, 'both tabs open again')
    await until(() => stream.connections.length === 2, 'a fresh request')
    const fresh = await stream.open()
    await until(() => again.every(({log}) => log.includes('open:1')), 'the fresh stream open in both tabs')
    fresh.send(events(1, 1))
    await until(() => again.every(({log}) => messages(log).length === 1), 'event 1 in both tabs')
    expect(again.map(({source}) => source.role).sort()).toEqual(['follower', 'leader'])
    expect(stream.connections).toHaveLength(2)
  })

  it('releases every timer, channel, lock request and lifecycle listener once every tab closed', async () => {
    const stream = mockStream()
    const browser = new FakeBrowser()
    const [tabA, tabB] = [browser.tab(), browser.tab()]
    const a = open(tabA)
    const b = open(tabB)
    await stream.open()
    await until(() => b.log.includes('open:1'), 'open')
    b.source.close()
    a.source.close()
    await flush()
    expect(browser.openChannels).toBe(0)
    expect(browser.lockState()).toEqual({holder: undefined, waiting: 0})
    expect(vi.getTimerCount()).toBe(0)
    expect([tabA.lifecycleListeners, tabB.lifecycleListeners]).toEqual([0, 0])
  })

  it.each(['claiming', 'suspended', 'waiting for the lock', 'waiting for a welcome'])(
    'close() while %s releases everything',
    async (when) => {
      const {stream, browser, tabA, tabB, a, b} = await leaderAndFollower()
      if (when === 'claiming') {
        a.source.close() // B takes the lock and asks the others what they saw: B closes inside that window
        await flush()
      } else if (when === 'suspended') tabB.lifecycle(false)
      else if (when === 'waiting for a welcome') {
        tabB.lifecycle(false)
        tabA.frozen = true // B's question goes unheard: B waits for the answer
        tabB.lifecycle(true)
        await flush()
        tabA.frozen = false
      }
      b.source.close()
      if (when !== 'claiming') a.source.close()
      await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
      await flush()
      expect(stream.connections.filter((connection) => !connection.aborted)).toHaveLength(0)
      expect(browser.openChannels).toBe(0)
      expect(browser.lockState()).toEqual({holder: undefined, waiting: 0})
      expect(vi.getTimerCount()).toBe(0)
      expect([tabA.lifecycleListeners, tabB.lifecycleListeners]).toEqual([0, 0])
    },
  )

  it('a page back from the back/forward cache joins again as a follower', async () => {
    const {stream, tabA, a, b, connection: first} = await leaderAndFollower()
    tabA.lifecycle(false) // pagehide into the cache: the lock goes, and B leads
    await vi.advanceTimersByTimeAsync(CLAIM_WINDOW)
    expect(first.aborted).toBe(true)
    const second = await stream.open()
    tabA.lifecycle(true) // pageshow
    await until(() => a.source.readyState === 1, 'A told the stream is open')
    expect([a.source.role, b.source.role]).toEqual(['follower', 'leader'])
    second.send(events(1, 1))
    await until(() => messages(a.log).length === 1, 'A hears the new leader')
  })
})

describe('[ext] options that cannot work', () => {
  it('throw from the constructor, as from EventSource’s, before any lock, channel or listener', () => {
    const browser = new FakeBrowser()
    const tab = browser.tab()
    const init = {transport: autoTransport(), idleTimeout: 0, sharing: tab.environment}
    expect(() => new EventSource(STREAM_URL, init)).toThrow(HoldfastError)
    let thrown: unknown
    try {
      sources.push(new SharedEventSource(STREAM_URL, init))
    } catch (error) {
      thrown = error
    }
    expect([HoldfastError.is(thrown), (thrown as HoldfastError).code]).toEqual([true, 'invalid-option'])
    expect([browser.lockState(), browser.openChannels, tab.lifecycleListeners]).toEqual([{waiting: 0}, 0, 0])
  })

  it('an instance whose options throw leaves its tab’s stream as it was', async () => {
    const {stream, tabB, b, connection} = await leaderAndFollower()
    const init = {transport: autoTransport(), idleTimeout: 0, sharing: tabB.environment}
    expect(() => sources.push(new SharedEventSource(STREAM_URL, init))).toThrow(HoldfastError)
    connection.send(events(1, 1))
    await until(() => messages(b.log).length === 1, 'event 1')
    expect([b.source.readyState, stream.connections.length]).toEqual([1, 1])
  })
})

describe('[ext] backpressure is per tab', () => {
  /** Takes every message of `loop` until it ends; `result` says how many, and the error it ended with. */
  function drain(loop: EventIterator) {
    const result: {taken: string[]; error?: unknown; done: boolean} = {taken: [], done: false}
    void (async () => {
      try {
        for await (const message of loop) result.taken.push(message.data)
      } catch (error) {
        result.error = error
      }
      result.done = true
    })()
    return result
  }

  it('a loop in the leader’s tab that stops taking messages holds no other tab, and ends alone', async () => {
    const {a, b, connection} = await leaderAndFollower()
    const loop = iterate(a.source, {bufferSize: 2, stallTimeout: 3000}) // shorter than the idle timeout
    void loop.next() // it takes one message, then stops
    for (let id = 1; id <= 10; id++) connection.send(events(id, id)) // ten chunks, far past the loop's buffer
    await until(() => messages(b.log).length === 10, 'all ten in the follower, at once')
    expect(messages(a.log)).toHaveLength(10) // and in the leader's own listeners
    await vi.advanceTimersByTimeAsync(3000)
    const rest = drain(loop) // what it held, then the end: abandoned for holding the stream
    await until(() => rest.done, 'the loop ends')
    expect([rest.taken.length, (rest.error as HoldfastError).code]).toEqual([9, 'buffer-overflow'])
    connection.send(events(11, 11))
    await until(() => messages(b.log).length === 11, 'the stream goes on')
  })

  it('a slow loop gets every event in order; a stopped one beside it on the same source ends alone', async () => {
    const {b, connection} = await leaderAndFollower()
    const slow = iterate(b.source, {bufferSize: 2, stallTimeout: 5000})
    const stopped = iterate(b.source, {bufferSize: 2, stallTimeout: 5000})
    const taken: string[] = []
    void stopped.next() // it takes the first message, then stops
    for (let id = 1; id <= 20; id += 2) {
      connection.send(events(id, id + 1)) // two events a second; the slow loop takes one
      await flush()
      taken.push((await slow.next()).value!.data)
      await vi.advanceTimersByTimeAsync(1000)
    }
    const rest = drain(stopped)
    await until(() => rest.done, 'the stopped loop ends')
    expect((rest.error as HoldfastError).code).toBe('buffer-overflow')
    const remaining = drain(slow)
    b.source.close()
    await until(() => remaining.done, 'the slow loop ends with the source')
    expect([...taken, ...remaining.taken]).toEqual(Array.from({length: 20}, (_, index) => String(index + 1)))
  })
})

describe('[ext] where sharing cannot run', () => {
  it('runs solo without Web Locks or BroadcastChannel (as in Node): a connection of its own', async () => {
    const stream = mockStream()
    const source = new SharedEventSource(STREAM_URL)
    sources.push(source)
    await stream.open()
    await until(() => source.readyState === 1, 'open')
    expect(source.role).toBe('solo')
    expect(source).toBeInstanceOf(EventSource)
  })

  it('runs solo for a body that is not a string', async () => {
    const stream = mockStream()
    const browser = new FakeBrowser()
    const {source} = open(browser.tab(), {method: 'POST', body: new Blob(['q'])})
    await stream.next()
    expect(source.role).toBe('solo')
    expect(browser.openChannels).toBe(0)
  })

  it('keeps streams apart by shareKey, method, body and withCredentials', async () => {
    const stream = mockStream()
    const browser = new FakeBrowser()
    for (const init of [{shareKey: 'alice'}, {shareKey: 'bob'}, {withCredentials: true}, {method: 'POST', body: 'x'}])
      open(browser.tab(), init)
    await until(() => stream.connections.length === 4, 'four connections')
    expect(browser.openChannels).toBe(4)
  })

  it('ignores messages of another protocol version', async () => {
    const {browser, b} = await leaderAndFollower()
    const name = `holdfast/v${PROTOCOL}/${JSON.stringify(['GET', STREAM_URL, null, false, ''])}`
    const intruder = browser.tab().environment.channel(name)
    intruder.postMessage({v: PROTOCOL + 1, kind: 'batch', term: 99, seq: 1, messages: [{type: 'message', data: 'x'}]})
    await flush()
    expect(messages(b.log)).toEqual([])
    intruder.close()
  })
})
