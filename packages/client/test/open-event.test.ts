import {describe, expect, it} from 'vitest'
import {OpenEvent, type OpenEventInit} from '../src/index'
import {pollTransport} from '../src/polling'
import {mockStream, openSource, STREAM_URL, until, useMockServer} from './harness'

useMockServer()

/** The members an `open` event carries beyond a plain Event's. */
const said = ({status, headers, url, redirected, transport}: OpenEventInit) => ({
  status,
  headers: Object.fromEntries(headers),
  url,
  redirected,
  transport,
})

describe('[ext] the open event carries what the response said', () => {
  it('an OpenEvent (an Event to drop-in code): status, headers, final URL, redirected, transport', async () => {
    const stream = mockStream()
    const source = openSource()
    const seen: Event[] = []
    source.onopen = (event) => seen.push(event)
    source.addEventListener('open', (event) => seen.push(event))
    await stream.open({headers: {'x-request-id': 'r-42', 'x-ratelimit-remaining': '9'}})
    await until(() => seen.length === 2, 'open')
    const [fromHandler, fromListener] = seen as [OpenEvent, OpenEvent]
    expect(fromHandler).toBe(fromListener)
    expect(fromHandler).toBeInstanceOf(OpenEvent)
    expect(fromHandler).toBeInstanceOf(Event)
    expect(fromHandler.type).toBe('open')
    expect(said(fromHandler)).toEqual({
      status: 200,
      headers: {'content-type': 'text/event-stream', 'x-request-id': 'r-42', 'x-ratelimit-remaining': '9'},
      url: STREAM_URL,
      redirected: false,
      transport: 'stream',
    })
  })

  it('after a redirect: the final URL, and redirected as fetch said it', async () => {
    const final = 'https://final.test/feed'
    const fetch: typeof globalThis.fetch = async () => {
      const response = new Response(new ReadableStream(), {headers: {'content-type': 'text/event-stream'}})
      return Object.defineProperties(response, {redirected: {value: true}, url: {value: final}})
    }
    const source = openSource({fetch})
    let opened: OpenEvent | undefined
    source.addEventListener('open', (event) => (opened = event as OpenEvent))
    await until(() => opened !== undefined, 'open')
    expect([opened!.url, opened!.redirected, source.url]).toEqual([final, true, STREAM_URL])
  })

  it('with long polls: transport `poll`, once for the run of polls', async () => {
    const stream = mockStream()
    const source = openSource({transport: pollTransport({pollTimeout: 500})})
    const opened: OpenEvent[] = []
    source.addEventListener('open', (event) => opened.push(event as OpenEvent))
    const poll = await stream.open()
    await until(() => opened.length === 1, 'open')
    expect(opened[0]!.transport).toBe('poll')
    expect(new URL(opened[0]!.url).searchParams.get('transport')).toBe('poll')
    poll.send('data: a\n\n')
    await until(() => source.stats.messages === 1, 'the poll’s event')
    poll.end() // a complete poll: the next follows at once, and the source stays OPEN
    await stream.open()
    await until(() => source.stats.connections === 2, 'the second poll answered')
    expect(source.readyState).toBe(source.OPEN)
    expect(opened).toHaveLength(1)
  })

  it("a server's own `event: open` reaches the same listeners as a MessageEvent, without those members", async () => {
    const stream = mockStream()
    const source = openSource()
    const seen: Event[] = []
    source.addEventListener('open', (event) => seen.push(event))
    ;(await stream.open()).send('event: open\ndata: hello\n\n')
    await until(() => seen.length === 2, 'both opens')
    expect(seen[0]).toBeInstanceOf(OpenEvent)
    expect(seen[1]).toBeInstanceOf(MessageEvent)
    expect(seen[1]).not.toBeInstanceOf(OpenEvent)
    expect([(seen[1] as MessageEvent).data, (seen[1] as Partial<OpenEvent>).status]).toEqual(['hello', undefined])
  })
})
