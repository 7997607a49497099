import {act, render, renderHook} from '@testing-library/react'
import {hydrateRoot} from 'react-dom/client'
import {renderToString} from 'react-dom/server'
import {describe, expect, it, vi} from 'vitest'
import {useEventSource} from '../src/index'
import {FakeSource} from './fake-source'

const create = FakeSource.create

describe('initialData', () => {
  function Count({url = '/count'}: {url?: string}) {
    const {data, status} = useEventSource(url, {create, parse: Number, initialData: 0})
    const count: number = data // typed without `undefined`
    return <p>{`${status} ${count}`}</p>
  }

  it('is the data on the server, at hydration, and in the browser until the first message', async () => {
    const html = renderToString(<Count />)
    expect(html).toBe('<p>connecting 0</p>')
    expect(FakeSource.made).toHaveLength(0)
    const container = document.createElement('div')
    container.innerHTML = html
    const onRecoverableError = vi.fn()
    const root = await act(async () => hydrateRoot(container, <Count />, {onRecoverableError}))
    expect(onRecoverableError).not.toHaveBeenCalled()
    expect(container.textContent).toBe('connecting 0')
    act(() => FakeSource.made[0]!.emit('5'))
    expect(container.textContent).toBe('connecting 5')
    act(() => root.unmount())
  })

  it('comes back when the stream changes, and is what a parse error leaves when nothing parsed yet', () => {
    const view = render(<Count />)
    act(() => FakeSource.made[0]!.emit('5'))
    view.rerender(<Count url="/other" />)
    expect(view.container.textContent).toBe('connecting 0')
    const {result} = renderHook(() =>
      useEventSource('/json', {create, parse: (text) => JSON.parse(text) as {n: number}, initialData: {n: 0}}),
    )
    act(() => FakeSource.made.at(-1)!.emit('{oops'))
    expect(result.current).toMatchObject({data: {n: 0}, parseError: expect.any(SyntaxError)})
  })

  it('gives way to the latest message of a running stream the component joins', () => {
    renderHook(() => useEventSource('/count', {create}))
    act(() => FakeSource.made[0]!.emit('9'))
    const {result} = renderHook(() => useEventSource('/count', {create, initialData: 'none'}))
    expect(result.current.data).toBe('9')
  })
})

describe('immediate: false, then open()', () => {
  it('starts idle (on the server too), opens on open(), and open() on an open stream does nothing', () => {
    function Feed() {
      return <p>{useEventSource('/feed', {create, immediate: false}).status}</p>
    }
    expect(renderToString(<Feed />)).toBe('<p>idle</p>')
    const {result} = renderHook(() => useEventSource('/feed', {create, immediate: false}))
    expect(result.current).toMatchObject({status: 'idle', readyState: 2})
    expect(FakeSource.made).toHaveLength(0)
    act(() => result.current.open())
    expect(FakeSource.made).toHaveLength(1)
    expect(result.current.status).toBe('connecting')
    act(() => result.current.open())
    act(() => FakeSource.made[0]!.open())
    act(() => result.current.open())
    expect(FakeSource.made).toHaveLength(1)
    expect(result.current.status).toBe('open')
  })

  it('open() opens again what close() or a fatal error closed, from the last event id', () => {
    const {result} = renderHook(() => useEventSource('/feed', {create}))
    act(() => FakeSource.made[0]!.emit('1', {id: '1'}))
    act(() => result.current.close())
    expect(result.current.status).toBe('closed')
    act(() => result.current.open())
    expect(FakeSource.made).toHaveLength(2)
    expect(FakeSource.made[1]!.init.lastEventId).toBe('1')
    act(() => FakeSource.made[1]!.fail(new Error('401'), {closed: true}))
    expect(result.current.status).toBe('closed')
    act(() => result.current.open())
    expect(FakeSource.made).toHaveLength(3)
    expect(result.current).toMatchObject({status: 'connecting', data: '1'})
  })

  it('does nothing while enabled is false: enabled is the prop, open() the action', () => {
    const {result, rerender} = renderHook(({enabled}) => useEventSource('/feed', {create, immediate: false, enabled}), {
      initialProps: {enabled: false},
    })
    act(() => result.current.open())
    expect(FakeSource.made).toHaveLength(0)
    rerender({enabled: true})
    expect(FakeSource.made).toHaveLength(1) // open() was asked for: enabled lets it happen
  })
})
