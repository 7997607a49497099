import {act, render, renderHook, waitFor} from '@testing-library/react'
import {StrictMode, useLayoutEffect, useState} from 'react'
import {describe, expect, it} from 'vitest'
import {liveStreamCount} from '../src/registry'
import {resetStreams, useEventSource, type UseEventSourceOptions} from '../src/index'
import {FakeSource} from './fake-source'

const create = FakeSource.create

function Price({url = '/prices', options = {}}: {url?: string; options?: UseEventSourceOptions}) {
  const {data, status} = useEventSource(url, {create, ...options})
  return (
    <p>
      {status}: {data ?? 'none'}
    </p>
  )
}

describe('one connection per stream', () => {
  it('opens one connection under StrictMode, never closes it while mounted, and closes it on unmount', async () => {
    const view = render(
      <StrictMode>
        <Price />
      </StrictMode>,
    )
    expect(FakeSource.made).toHaveLength(1)
    const [source] = FakeSource.made
    act(() => {
      source!.open()
      source!.emit('42')
    })
    expect(view.container.textContent).toBe('open: 42')
    // StrictMode's unmount and remount ran: the deferred close was cancelled, and stays so.
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(source!.closed).toBe(false)
    view.unmount()
    expect(source!.closed).toBe(false) // deferred by one macrotask
    await waitFor(() => expect(source!.closed).toBe(true))
  })

  it('shares the connection between components, and closes it after the last one unmounts', async () => {
    function Page() {
      const [second, setSecond] = useState(true)
      return (
        <>
          <Price />
          {second && <Price />}
          <button onClick={() => setSecond(false)}>hide</button>
        </>
      )
    }
    const view = render(<Page />)
    expect(FakeSource.made).toHaveLength(1)
    const [source] = FakeSource.made
    act(() => source!.emit('7'))
    expect(view.container.textContent).toBe('connecting: 7connecting: 7hide')
    act(() => view.getByText('hide').click())
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(source!.closed).toBe(false)
    act(() => source!.emit('8'))
    expect(view.container.textContent).toBe('connecting: 8hide')
    view.unmount()
    await waitFor(() => expect(source!.closed).toBe(true))
  })

  it('keeps the connection when one component hands the stream over to another in the same commit', async () => {
    function Switch() {
      const [which, setWhich] = useState('a')
      return (
        <>
          {which === 'a' ? <Price key="a" /> : <Price key="b" />}
          <button onClick={() => setWhich('b')}>switch</button>
        </>
      )
    }
    const view = render(<Switch />)
    act(() => FakeSource.made[0]!.emit('1'))
    act(() => view.getByText('switch').click())
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(FakeSource.made).toHaveLength(1)
    expect(FakeSource.made[0]!.closed).toBe(false)
    expect(view.container.textContent).toBe('connecting: 1switch') // the newcomer starts from the latest message
  })

  it('tells streams apart by URL and by options, not by functions made anew on every render', () => {
    render(
      <>
        <Price options={{headers: () => ({a: '1'})}} />
        <Price options={{headers: () => ({a: '2'})}} />
        <Price options={{withCredentials: true}} />
        <Price url="/other" />
        <Price url="/other" options={{lastEventId: '5'}} />
      </>,
    )
    expect(FakeSource.made.map((source) => [source.url, source.init.withCredentials ?? false])).toEqual([
      ['/prices', false],
      ['/prices', true],
      ['/other', false],
    ])
  })

  it('shares by an explicit key whatever the options say', () => {
    render(
      <>
        <Price options={{key: 'prices', withCredentials: true}} />
        <Price options={{key: 'prices'}} />
      </>,
    )
    expect(FakeSource.made).toHaveLength(1)
  })

  it('listens for the union of the types its components want, and stops when the last one for a type leaves', async () => {
    const {rerender} = renderHook(({types}) => useEventSource('/feed', {create, types}), {
      initialProps: {types: ['price', 'trade']},
    })
    const other = renderHook(() => useEventSource('/feed', {create}))
    const [source] = FakeSource.made
    expect([...source!.listeners.keys()].sort()).toEqual(['error', 'message', 'open', 'price', 'reconnecting', 'trade'])
    rerender({types: ['price']})
    other.unmount()
    await waitFor(() =>
      expect([...source!.listeners.keys()].sort()).toEqual(['error', 'open', 'price', 'reconnecting']),
    )
  })

  it('a type added to `types` on a re-render reaches the source; one dropped stops being listened to', () => {
    const {result, rerender} = renderHook(({types}) => useEventSource('/feed', {create, types}), {
      initialProps: {types: ['price']},
    })
    const [source] = FakeSource.made
    rerender({types: ['price', 'trade']})
    act(() => source!.emit('a trade', {type: 'trade'}))
    expect(result.current.message).toMatchObject({type: 'trade', data: 'a trade'})
    rerender({types: ['trade']})
    expect([...source!.listeners.keys()].sort()).toEqual(['error', 'open', 'reconnecting', 'trade'])
  })

  it('a component that mounts on a running stream shows what arrived between its render and its subscription', () => {
    /** Emits in a layout effect: after the components of its commit rendered, before they subscribe. */
    function EmitOnCommit({data}: {data: string}) {
      useLayoutEffect(() => FakeSource.made[0]!.emit(data), [data])
      return null
    }
    const view = render(<Price />)
    act(() => FakeSource.made[0]!.emit('1'))
    view.rerender(
      <>
        <Price />
        <Price />
        <EmitOnCommit data="2" />
      </>,
    )
    expect(view.container.textContent).toBe('connecting: 2connecting: 2')
  })

  it('does not connect while disabled or without a URL', () => {
    const {result} = renderHook(() => [
      useEventSource('/feed', {create, enabled: false}),
      useEventSource(null, {create}),
    ])
    expect(FakeSource.made).toHaveLength(0)
    expect(result.current.map((r) => [r.status, r.readyState])).toEqual([
      ['idle', 2],
      ['idle', 2],
    ])
  })
})

describe('resetStreams, between two tests', () => {
  it('closes a stream in its deferred close at once, so that the next mount opens its own and starts from nothing', () => {
    const first = render(<Price />)
    act(() => {
      FakeSource.made[0]!.open()
      FakeSource.made[0]!.emit('42')
    })
    first.unmount() // React Testing Library's cleanup()
    resetStreams()
    expect(FakeSource.made[0]!.closed).toBe(true)
    expect(liveStreamCount()).toBe(0)
    // The next test, within the same macrotask: a connection of its own, none of the previous test's data.
    const second = render(<Price />)
    expect(FakeSource.made).toHaveLength(2)
    expect(second.container.textContent).toBe('connecting: none')
  })

  it('closes the stream of a component still mounted, which then shows it closed', () => {
    const view = render(<Price />)
    act(() => FakeSource.made[0]!.open())
    act(() => resetStreams())
    expect(FakeSource.made[0]!.closed).toBe(true)
    expect(view.container.textContent).toBe('closed: none')
    expect(liveStreamCount()).toBe(0)
  })
})
