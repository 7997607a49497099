import {HoldfastError} from '@holdfast/client'
import {act, renderHook, waitFor} from '@testing-library/react'
import {renderToString} from 'react-dom/server'
import {describe, expect, it, vi} from 'vitest'
import {useEventSource, type ReconnectInfo} from '../src/index'

/** A `fetch` whose every response is a stream the test writes to and ends; it records each request's headers. */
function streamingFetch() {
  const requests: Headers[] = []
  const streams: Array<ReadableStreamDefaultController<Uint8Array>> = []
  const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    requests.push(new Headers(init?.headers))
    const body = new ReadableStream<Uint8Array>({start: (controller) => void streams.push(controller)})
    init?.signal?.addEventListener('abort', () => body.cancel().catch(() => {}))
    return new Response(body, {headers: {'Content-Type': 'text/event-stream'}})
  })
  const write = (n: number, text: string) => streams[n]!.enqueue(new TextEncoder().encode(text))
  return {fetch, requests, streams, write}
}

describe("with Holdfast's EventSource", () => {
  it('sends the latest headers function on every attempt, and reports the reconnect it makes', async () => {
    const server = streamingFetch()
    const seen: ReconnectInfo[] = []
    const {result, rerender} = renderHook(
      ({token}) =>
        useEventSource('http://test/feed', {
          fetch: server.fetch,
          headers: () => ({Authorization: `Bearer ${token}`}),
          retryDelay: 1,
          jitter: 0,
          onReconnecting: (info) => seen.push(info),
        }),
      {initialProps: {token: 'first'}},
    )
    await waitFor(() => expect(result.current.status).toBe('open'))
    await act(async () => server.write(0, 'id: 1\ndata: one\n\n'))
    await waitFor(() => expect(result.current.data).toBe('one'))
    rerender({token: 'second'}) // a new closure: the stream keeps its connection and calls this one next time
    act(() => server.streams[0]!.close())
    await waitFor(() => expect(server.requests).toHaveLength(2))
    expect(server.requests.map((headers) => headers.get('authorization'))).toEqual(['Bearer first', 'Bearer second'])
    expect(server.requests[1]!.get('last-event-id')).toBe('1')
    expect(seen).toMatchObject([{attempt: 1, delay: 1}])
    expect(HoldfastError.is(seen[0]!.error) && seen[0]!.error.code).toBe('stream-ended')
    await waitFor(() =>
      expect(result.current).toMatchObject({status: 'open', error: undefined, reconnecting: undefined}),
    )
    await act(async () => server.write(1, 'id: 2\ndata: two\n\n'))
    await waitFor(() => expect(result.current).toMatchObject({data: 'two', lastEventId: '2'}))
  })

  it("takes a new type through the source's subscribe, and a server's own `event: error` for a message", async () => {
    const server = streamingFetch()
    const onError = vi.fn()
    const {result, rerender} = renderHook(
      ({types}) => useEventSource('http://test/feed', {fetch: server.fetch, types, onError}),
      {initialProps: {types: ['message']}},
    )
    await waitFor(() => expect(result.current.status).toBe('open'))
    rerender({types: ['message', 'error']})
    await act(async () => server.write(0, 'event: error\ndata: {"reason":"quota"}\n\n'))
    await waitFor(() => expect(result.current.message).toMatchObject({type: 'error', data: '{"reason":"quota"}'}))
    expect(result.current).toMatchObject({status: 'open', error: undefined})
    expect(onError).not.toHaveBeenCalled()
  })

  it('an invalid URL or option comes back as the error of a closed stream, instead of unmounting the root', () => {
    const onError = vi.fn()
    const {result} = renderHook(() => [
      useEventSource('http://[bad', {onError}),
      useEventSource('http://test/feed', {idleTimeout: -1}),
    ])
    const [url, option] = result.current
    expect(url).toMatchObject({status: 'closed', readyState: 2, error: {name: 'HoldfastError', code: 'invalid-option'}})
    expect(url!.error?.message).toBe("Failed to construct 'EventSource': The URL 'http://[bad' is invalid.")
    expect(url!.error?.cause).toMatchObject({name: 'SyntaxError'})
    expect(onError).toHaveBeenCalledWith(url!.error)
    expect(option).toMatchObject({status: 'closed', error: {code: 'invalid-option'}})
    expect(option!.error?.message).toMatch(/idleTimeout/)
  })

  it('renders on the server without connecting: connecting (or idle when disabled), no data', () => {
    const create = vi.fn()
    function Feed({enabled}: {enabled: boolean}) {
      const {status, readyState, data} = useEventSource('/feed', {create, enabled})
      return <p>{`${status} ${readyState} ${data ?? 'none'}`}</p>
    }
    expect(renderToString(<Feed enabled />)).toBe('<p>connecting 0 none</p>')
    expect(renderToString(<Feed enabled={false} />)).toBe('<p>idle 2 none</p>')
    expect(create).not.toHaveBeenCalled()
  })
})
