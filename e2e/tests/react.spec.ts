// The React hook in a real app (examples/react, built by Vite): three components share one connection, and a drop
// in the middle of an event costs nothing.
import {needs} from '../engines/engines'
import {expect, test} from '../fixtures'

test(
  'useEventSource: one shared connection, a drop mid-event, every message once and in order',
  {tag: needs.playwrightPage},
  async ({page, sse}) => {
    await page.goto(`/react/?stream=${encodeURIComponent(sse.url)}`)
    const first = await sse.nextConnection()
    for (const price of ['187.2', '187.4', '187.9']) sse.publish(`AAPL ${price}`)
    await expect(page.getByTestId('price')).toHaveText('AAPL 187.9')
    await expect(page.getByTestId('status')).toHaveText('open')
    // React development build: StrictMode mounted, unmounted and remounted all three components. One connection.
    expect(sse.connections()).toHaveLength(1)

    sse.inject({type: 'drop', midEvent: true}) // the next event is cut in half, then the socket dies
    sse.publish('AAPL 188.1')
    const second = await sse.nextConnection()
    expect(second).toMatchObject({lastEventId: '3', status: 200, replay: {result: 'replayed', events: 1}})
    sse.publish('AAPL 188.3')

    const history = page.getByTestId('history').getByRole('listitem')
    await expect(history).toHaveText(['AAPL 187.2', 'AAPL 187.4', 'AAPL 187.9', 'AAPL 188.1', 'AAPL 188.3'])
    expect(await history.evaluateAll((items) => items.map((item) => item.getAttribute('data-id')))).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
    ])
    await expect(page.getByTestId('reconnects')).toHaveText('1')
    await expect(page.getByTestId('status')).toHaveText('open')
    expect((await sse.waitForClose(first)).closeReason).toBe('fault-drop')
    expect(sse.connections()).toHaveLength(2)
  },
)
