import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {EventSource} from '../src/index'
import {pollTransport, TransportChangeEvent} from '../src/polling'
import {SharedEventSource, type SharedEventSourceInit} from '../src/shared'
import {BACKLOG} from '../src/shared/backlog'
import {WELCOME_WAIT} from '../src/shared/catch-up'
import {CLAIM_WINDOW, STEAL_JITTER} from '../src/shared/hub'
import {PROTOCOL} from '../src/shared/protocol'
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
