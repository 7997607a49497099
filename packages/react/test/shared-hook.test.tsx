import {act, render, waitFor} from '@testing-library/react'
import {describe, expect, it} from 'vitest'
import type {SharingEnvironment} from '@holdfast/client/shared'
import {useEventSource} from '../src/index'
import {useSharedEventSource} from '../src/shared'
import {FakeBrowser} from '../../client/test/fake-tabs'

/** A fetch that never answers: these tests look at how the sources are made, not at the stream. */
const never = (): Promise<Response> => new Promise(() => {})
const URL = 'http://sse.test/feed'

/** `tab` keeps the two fake tabs' hooks apart: in one realm, they would otherwise share one store entry. */
function Shared({sharing, tab}: {sharing: SharingEnvironment; tab: string}) {
  return <p>{useSharedEventSource(URL, {shareKey: 'u1', sharing, fetch: never, key: tab}).status}</p>
}
function Plain() {
  return <p>{useEventSource(URL, {fetch: never}).status}</p>
}

describe('useSharedEventSource (@holdfast/react/shared)', () => {
  it('shares through SharedEventSource (one lock, one channel per tab), apart from a plain hook on the same URL', async () => {
    const browser = new FakeBrowser()
    const [first, second] = [browser.tab(), browser.tab()]
    const view = render(
      <>
        <Shared sharing={first.environment} tab="first" />
        <Shared sharing={first.environment} tab="first" />
        <Plain />
      </>,
    )
    const other = render(<Shared sharing={second.environment} tab="second" />)
    // Two tabs, one channel each; the two components of the first tab share theirs; the plain hook opens none.
    await waitFor(() => expect(browser.openChannels).toBe(2))
    expect(browser.lockState().holder).toBe(first)
    act(() => view.unmount())
    await waitFor(() => expect(browser.lockState().holder).toBe(second)) // the other tab takes over
    act(() => other.unmount())
    await waitFor(() => expect(browser.openChannels).toBe(0))
  })

  it('a plain useEventSource on the same URL keeps a connection of its own', async () => {
    const requests: string[] = []
    const counting = (input: RequestInfo | URL): Promise<Response> => {
      requests.push(String(input))
      return never()
    }
    function SharedCounting() {
      // Same URL and options (no sharing here: Node runs it solo): only the hook tells them apart.
      return <p>{useSharedEventSource(URL, {fetch: counting}).status}</p>
    }
    function PlainCounting() {
      return <p>{useEventSource(URL, {fetch: counting}).status}</p>
    }
    const view = render(
      <>
        <SharedCounting />
        <PlainCounting />
      </>,
    )
    await waitFor(() => expect(requests).toEqual([URL, URL]))
    act(() => view.unmount())
  })
})
