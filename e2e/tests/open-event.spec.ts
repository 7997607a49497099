// The `open` event, side by side with the browser's own EventSource: both fire one plain `Event` of type `open` when
// the stream opens; Holdfast's is an OpenEvent that also says what the response said (issue 21).
import {expect, fast, streamUrl, test} from '../fixtures'
import type {Tab} from '../engines/tab'

/** What each source's `open` listener saw, in the page: the event as drop-in code sees it, and Holdfast's members. */
interface Seen {
  type: string
  isEvent: boolean
  isMessageEvent: boolean
  readyState: number
  /** Messages already delivered when it fired. */
  before: number
  status?: number
  url?: string
  redirected?: boolean
  transport?: string
  headers?: Record<string, string>
  sourceUrl: string
}

/**
 * Opens a source in the page, the browser's own (`native`) or Holdfast's; `window.opened[label]` collects what its
 * `open` listener saw.
 */
async function openSource(tab: Tab, label: 'native' | 'holdfast', url: string, init: object = {}): Promise<void> {
  await tab.evaluate(
    async ([label, url, init]) => {
      const {EventSource: Holdfast, OpenEvent} = await import(new URL('/client/index.js', location.href).href)
      const opened = ((window as unknown as {opened?: Record<string, Seen[]>}).opened ??= {})
      const seen: Seen[] = (opened[label] = [])
      const source: EventSource = label === 'native' ? new window.EventSource(url) : new Holdfast(url, init)
      let messages = 0
      source.addEventListener('message', () => messages++)
      source.addEventListener('open', (event: Event) => {
        type Said = {status: number; url: string; redirected: boolean; transport: string; headers: Headers}
        const open = event instanceof OpenEvent ? (event as Event & Said) : undefined
        seen.push({
          type: event.type,
          isEvent: event instanceof Event,
          isMessageEvent: event instanceof MessageEvent,
          readyState: source.readyState,
          before: messages,
          status: open?.status,
          url: open?.url,
          redirected: open?.redirected,
          transport: open?.transport,
          headers: open ? Object.fromEntries(open.headers) : undefined,
          sourceUrl: source.url,
        })
      })
    },
    [label, url, init] as const,
  )
}

const opened = (tab: Tab) =>
  tab.evaluate(() => (window as unknown as {opened: Record<string, Seen[]>}).opened, undefined)

test('open: one plain Event each, OPEN, before the first message; Holdfast’s carries the response', async ({
  harness,
  sse,
}) => {
  const {tab} = harness // on the harness page, where the server serves the built client
  const url = streamUrl(sse)
  await openSource(tab, 'native', url)
  await sse.nextConnection()
  await openSource(tab, 'holdfast', url, fast)
  const holdfastStream = await sse.nextConnection()
  sse.publish('hello')
  await expect.poll(async () => Object.values(await opened(tab)).map((list) => list.length)).toEqual([1, 1])
  const {native, holdfast} = await opened(tab)
  const common = {type: 'open', isEvent: true, isMessageEvent: false, readyState: 1, before: 0, sourceUrl: url}
  expect(native).toEqual([expect.objectContaining(common)])
  expect(holdfast).toEqual([
    {
      ...common,
      status: 200,
      url,
      redirected: false,
      transport: 'stream',
      headers: expect.objectContaining({
        'content-type': 'text/event-stream; charset=utf-8',
        // The connection id the server gave this very response.
        'x-holdfast-connection': holdfastStream.id,
      }),
    },
  ])
})

test('open after a redirect: both follow it; Holdfast’s says redirected and the final URL, `url` stays the named one', async ({
  harness: {tab},
  sse,
  sseServer,
}) => {
  const target = sseServer.scope(`${sse.channel}-target`)
  try {
    const finalUrl = streamUrl(target)
    sse.inject({type: 'status', status: 307, headers: {location: finalUrl}, times: 'all'}) // every request to it
    const url = streamUrl(sse)
    await openSource(tab, 'native', url)
    await openSource(tab, 'holdfast', url, fast)
    await expect.poll(async () => Object.values(await opened(tab)).map((list) => list.length)).toEqual([1, 1])
    const {native, holdfast} = await opened(tab)
    expect(native).toEqual([expect.objectContaining({type: 'open', readyState: 1, sourceUrl: url})])
    expect(holdfast).toEqual([
      expect.objectContaining({type: 'open', readyState: 1, sourceUrl: url, url: finalUrl, redirected: true}),
    ])
  } finally {
    target.dispose()
  }
})
