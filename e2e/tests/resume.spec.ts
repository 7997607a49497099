// Resuming with a non-ASCII Last-Event-ID, in every engine: the server must receive the id's UTF-8 bytes, from the
// native EventSource and from Holdfast, whichever way Holdfast sends it (header, query parameter or both).
import type {ConnectionRecord} from '@holdfast/test-server'
import type {LastEventIdTransport} from '@holdfast/client'
import {holdfast} from '../engines/differences'
import {expect, fast, publish, streamUrl, test} from '../fixtures'

/** An id with a two-, a three- and a four-byte UTF-8 character. */
const ID = 'é€𝄞'
const UTF8 = Buffer.from(ID).toString('hex') // c3a9 e282ac f09d849e

/** The bytes of a request header as they came over the wire (Node reads header bytes as Latin-1). */
function headerBytes(connection: ConnectionRecord): string | undefined {
  const value = connection.headers['last-event-id']
  return typeof value === 'string' ? Buffer.from(value, 'latin1').toString('hex') : undefined
}

/** What the server got of the id: the header's bytes (hex) and the query parameter (decoded as UTF-8). */
function received(connection: ConnectionRecord): {header?: string; query?: string} {
  const query = new URL(connection.url, 'http://x').searchParams.get('lastEventId')
  const header = headerBytes(connection)
  return {...(header === undefined ? {} : {header}), ...(query === null ? {} : {query})}
}

for (const lastEventIdIn of ['header', 'query', 'both'] as const) {
  test(`a non-ASCII id, lastEventIdIn '${lastEventIdIn}': after a drop, the server receives its UTF-8 bytes from native and from Holdfast`, async ({
    harness,
    sse,
    engine,
  }) => {
    const url = (who: string) => `${streamUrl(sse)}&who=${who}`
    const of = (who: string) => (c: ConnectionRecord) => new URL(c.url, 'http://x').searchParams.get('who') === who
    await harness.open('native', url('native'), {}, {native: true})
    await harness.open('holdfast', url('holdfast'), {...fast, lastEventIdIn})
    await sse.waitForConnection(of('native'))
    await sse.waitForConnection(of('holdfast'))
    for (const label of ['native', 'holdfast']) await expect.poll(() => harness.readyState(label)).toBe(1)

    // One event with the id on both streams, then both drop and reconnect with it.
    sse.inject({type: 'malformed', frame: `id: ${ID}\ndata: with a non-ASCII id\n\n`, times: 2})
    for (const label of ['native', 'holdfast']) await expect.poll(() => harness.ids(label)).toEqual([ID])
    const cut = sse.inject({type: 'drop', times: 2})
    await cut.whenFired()
    const native = await sse.waitForConnection((c) => of('native')(c) && c.lastEventId !== undefined)
    const resumed = await sse.waitForConnection((c) => of('holdfast')(c) && c.lastEventId !== undefined)

    // The native source sends the header, as UTF-8, in every engine.
    expect(received(native)).toEqual({header: UTF8})
    // Holdfast: where it was asked to, except where no header can carry these bytes (then in the query alone).
    const expected: LastEventIdTransport = holdfast[engine.name].nonAsciiIdIn === 'query' ? 'query' : lastEventIdIn
    expect(received(resumed)).toEqual({
      ...(expected !== 'query' ? {header: UTF8} : {}),
      ...(expected !== 'header' ? {query: ID} : {}),
    })
    const [event] = publish(sse, 1) as [string]
    await expect.poll(() => harness.ids('holdfast')).toEqual([ID, event])

    // The next id is ASCII: it goes where it was asked to, and no parameter is left from the one before.
    sse.inject({type: 'drop'}, {connection: resumed.id})
    const again = await sse.waitForConnection((c) => of('holdfast')(c) && c.lastEventId === event)
    expect(received(again)).toEqual({
      ...(lastEventIdIn !== 'query' ? {header: Buffer.from(event).toString('hex')} : {}),
      ...(lastEventIdIn !== 'header' ? {query: event} : {}),
    })
  })
}
