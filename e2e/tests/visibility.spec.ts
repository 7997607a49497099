// A page the user hides (a minimized window): Holdfast's `pauseWhenHidden` gives the stream up after its grace period
// and resumes with Last-Event-ID once the page is visible again, side by side with the native source. Only where a
// test can hide a page (WebKitGTK: minimizing MiniBrowser's window; see `capabilities` in engines/engines.ts).
import {needs} from '../engines/engines'
import {delivered, expect, fast, openStreams, publish, requests, sentIds, test} from '../fixtures'

test(
  'hidden past pauseWhenHidden, Holdfast closes its stream; visible again, it resumes from the last id; native streams on',
  {
    tag: needs.visibility,
  },
  async ({harness, sse}) => {
    const {holdfast: first} = await openStreams(harness, sse, {native: true, init: {...fast, pauseWhenHidden: 200}})
    const visibility = () => harness.tab.evaluate(() => document.visibilityState, null)
    expect(await visibility()).toBe('visible')

    await harness.tab.setHidden!(true)
    await expect.poll(visibility).toBe('hidden')
    expect((await sse.waitForClose(first)).closedBy).toBe('client')
    // Published while hidden: the native source still gets it, Holdfast will on its return.
    publish(sse, 2)
    await expect.poll(() => harness.ids('native')).toEqual(sentIds(sse))
    expect(await harness.ids('holdfast')).toEqual(['1', '2'])

    await harness.tab.setHidden!(false)
    await expect.poll(visibility).toBe('visible')
    const second = await sse.nextConnection()
    expect(second.lastEventId).toBe('2')
    await expect.poll(() => harness.ids('holdfast')).toEqual(sentIds(sse))
    expect(await harness.trace('holdfast')).toEqual(['open 1', ...delivered(1, 2), 'open 1', ...delivered(3, 4)])
    expect(requests(sse.connections())).toEqual([{status: 200}, {status: 200}, {status: 200, lastEventId: '2'}])
  },
)
