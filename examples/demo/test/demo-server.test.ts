import {createServer, type Server} from 'node:net'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {startDemo, type Demo} from '../lib/demo-server.mjs'
import {createFaults} from '../public/faults.js'

interface SseEvent {
  id?: string
  event?: string
  data?: string
}

/** A stream read through the demo's front: events one at a time, and how it ended. */
async function openStream(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {headers: {Accept: 'text/event-stream', ...headers}})
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  return {
    response,
    /** The next event with a field other than `retry`; rejects when the stream breaks, undefined when it ends. */
    async next(): Promise<SseEvent | undefined> {
      for (;;) {
        const end = buffer.indexOf('\n\n')
        if (end !== -1) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const event: SseEvent = {}
          for (const line of block.split('\n')) {
            const [field, ...rest] = line.split(': ')
            if (field === 'id' || field === 'event' || field === 'data') event[field] = rest.join(': ')
          }
          if (Object.keys(event).length > 0) return event
          continue
        }
        const {done, value} = await reader.read()
        if (done) return undefined
        buffer += decoder.decode(value, {stream: true})
      }
    },
    cancel: () => reader.cancel().catch(() => {}),
  }
}

/**
 * Reads what is left of a stream: the events already on their way when a fault broke it, then the break (a
 * rejection). Resolves if the stream ends cleanly instead.
 */
async function rest(stream: Awaited<ReturnType<typeof openStream>>): Promise<void> {
  while ((await stream.next()) !== undefined);
}

/** A port something else listens on. */
async function occupiedPort(): Promise<{port: number; server: Server}> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (typeof address !== 'object' || address === null) throw new Error('no address')
  return {port: address.port, server}
}

const cleanup: Array<() => Promise<unknown> | void> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function demo(options: Parameters<typeof startDemo>[0] = {}): Promise<Demo> {
  const started = await startDemo({port: 0, ...options})
  cleanup.push(() => started.close())
  return started
}

describe('the demo server', () => {
  it('serves the page, its config and the client bundle, and streams the live channel through the front', async () => {
    const {url} = await demo()
    const page = await fetch(url)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await page.text()).toContain('"@holdfast/client": "/client/index.js"')
    expect(await (await fetch(new URL('/demo/config', url))).json()).toMatchObject({channel: 'live', tickMs: 250})
    const bundle = await fetch(new URL('/client/index.js', url))
    expect([bundle.status, bundle.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8'])
    expect(await bundle.text()).toContain('export {')

    const stream = await openStream(new URL('/sse/live', url).href)
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const first = await stream.next()
    const second = await stream.next()
    expect(Number(second?.id)).toBe(Number(first?.id) + 1)
    expect(JSON.parse(first?.data ?? '')).toMatchObject({n: Number(first?.id)})
    await stream.cancel()
  })

  it('restarts for real: streams break, connections are refused, then the same port answers and replays', async () => {
    const {url, front, testServer} = await demo({restartMs: 500})
    const stream = await openStream(new URL('/sse/live', url).href)
    const seen = await stream.next()
    const restarted = front.restart(500)
    await expect(rest(stream)).rejects.toThrow()
    expect(front.listening).toBe(false)
    await expect(fetch(new URL('/demo/config', url))).rejects.toThrow()
    await restarted
    expect(front.listening).toBe(true)
    // The event log survived behind the front: Last-Event-ID resumes right after the last id seen.
    const resumed = await openStream(new URL('/sse/live', url).href, {'Last-Event-ID': seen?.id ?? ''})
    expect((await resumed.next())?.id).toBe(String(Number(seen?.id) + 1))
    expect(testServer.connections('live').at(-1)?.replay.result).toBe('replayed')
    await resumed.cancel()
  })

  it('starts a restart on POST /demo/restart, after answering', async () => {
    const {url, front} = await demo({restartMs: 200})
    const answer = await fetch(new URL('/demo/restart', url), {method: 'POST'})
    expect([answer.status, await answer.json()]).toEqual([202, {downMs: 200}])
    // The restart under way: a second call joins it.
    await front.restart(200)
    expect((await fetch(new URL('/demo/config', url))).status).toBe(200)
    expect((await fetch(new URL('/demo/nothing', url))).status).toBe(404)
  })

  it('sends every stream the shutdown event when it closes', async () => {
    const started = await startDemo({port: 0})
    const stream = await openStream(new URL('/sse/live', started.url).href)
    await stream.next()
    const closed = started.close()
    let event: SseEvent | undefined
    do event = await stream.next()
    while (event !== undefined && event.event !== 'shutdown')
    expect(event).toEqual({event: 'shutdown', data: 'server shutting down'})
    await closed
    await expect(fetch(started.url)).rejects.toThrow()
  })

  it('falls back to a free port when the default one is busy, but not when a port was asked for', async () => {
    const {port, server} = await occupiedPort()
    cleanup.push(() => new Promise((resolve) => server.close(resolve)))
    const fallback = await demo({port})
    expect(fallback.busyPort).toBe(port)
    expect(fallback.port).not.toBe(port)
    expect((await fetch(fallback.url)).status).toBe(200)
    await expect(startDemo({port, portGiven: true})).rejects.toThrow(
      `Port ${port} is busy; pick another with --port or PORT (0 for any free port)`,
    )
  })
})

describe('the fault buttons, against the demo server', () => {
  async function setup() {
    const started = await demo()
    const network = {setOffline: vi.fn()}
    const faults = createFaults({channel: 'live', network, retryAfterSeconds: 3, base: started.url})
    const streamUrl = new URL('/sse/live', started.url).href
    const stream = await openStream(streamUrl)
    const first = await stream.next()
    cleanup.push(() => stream.cancel())
    return {...started, network, faults, stream, streamUrl, firstId: Number(first?.id)}
  }

  it('stall keeps the socket open and silent; recover resumes it without a gap', async () => {
    const {faults, stream, testServer, firstId} = await setup()
    expect(await faults.stall()).toBe(
      'Stalled 1 open stream: the sockets stay open and nothing more is written, until you recover.',
    )
    const [record] = testServer.connections('live')
    expect(record).toMatchObject({state: 'open', stalled: true})
    const lastSent = Number(record?.lastSentId)
    expect(await faults.recover()).toBe('Recovered: 1 fault cleared, stalls lifted, back online.')
    // What was sent before the stall, then what was published during it, with no gap and nothing twice.
    const ids = [firstId]
    while ((ids.at(-1) ?? Infinity) <= lastSent) ids.push(Number((await stream.next())?.id))
    expect(ids).toEqual(Array.from({length: ids.length}, (_, index) => firstId + index))
  })

  it('drop mid-event breaks the stream after half an event', async () => {
    const {faults, stream, testServer} = await setup()
    expect(await faults.dropMidEvent()).toBe('Dropping 1 open stream halfway through their next event.')
    await expect(rest(stream)).rejects.toThrow()
    expect(testServer.connections('live')[0]?.closeReason).toBe('fault-drop')
  })

  it('503 drops the open streams and answers new ones 503 with Retry-After until recovered', async () => {
    const {faults, stream, streamUrl} = await setup()
    expect(await faults.unavailable()).toBe(
      'Dropped 1 open stream; every reconnection gets 503 with Retry-After: 3 until you recover.',
    )
    await expect(rest(stream)).rejects.toThrow()
    const refused = await fetch(streamUrl)
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([503, '3'])
    await faults.recover()
    const back = await openStream(streamUrl)
    expect(back.response.status).toBe(200)
    await back.cancel()
  })

  it('go offline tells the network first, drops the streams and refuses new ones until recovered', async () => {
    const {faults, stream, streamUrl, network} = await setup()
    expect(await faults.goOffline()).toBe(
      'Offline (simulated): 1 open stream dropped, connections refused, until you recover.',
    )
    expect(network.setOffline).toHaveBeenCalledWith(true)
    await expect(rest(stream)).rejects.toThrow()
    await expect(fetch(streamUrl)).rejects.toThrow()
    await faults.recover()
    expect(network.setOffline).toHaveBeenLastCalledWith(false)
    const back = await openStream(streamUrl)
    expect(back.response.status).toBe(200)
    await back.cancel()
  })

  it('restart asks the demo server to restart', async () => {
    const {faults, front} = await setup()
    expect(await faults.restart()).toBe('Server restarting: the port is closed for 3 s, then listens again.')
    expect(front.listening).toBe(false)
  })

  it('says what the control API said when a call fails', async () => {
    const {url} = await demo()
    const faults = createFaults({
      channel: 'no such/channel',
      network: {setOffline() {}},
      retryAfterSeconds: 3,
      base: url,
    })
    await expect(faults.stall()).rejects.toThrow(/channel/i)
  })
})
