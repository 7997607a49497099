// The app's components against msw's sse(): what a user sees when the stream sends messages and a named event,
// drops and comes back, or refuses. These run in jsdom and in happy-dom (vitest.config.ts).
import {act, render, screen, waitFor} from '@testing-library/react'
import {http, HttpResponse, sse} from 'msw'
import {StrictMode} from 'react'
import {afterEach, expect, it, vi} from 'vitest'
import {App} from '../src/App'
import {server} from './server'

// Relative, as in the app: it resolves against the test document's URL, and so does msw's handler path.
const STREAM = '/sse/prices'

const text = (testId: string) => screen.getByTestId(testId).textContent
const history = () => [...screen.getByTestId('history').querySelectorAll('li')].map((item) => item.textContent)

afterEach(() => vi.useRealTimers())

it('shows the latest price, every message in order and a named event, over one connection', async () => {
  let connections = 0
  server.use(
    sse<{message: string; notice: string}>(STREAM, ({client}) => {
      connections++
      client.send({id: '1', data: 'AAPL 187.2'})
      client.send({id: '2', event: 'notice', data: 'Trading halts at 16:00'})
      client.send({id: '3', data: 'AAPL 187.4'})
    }),
  )
  render(
    <StrictMode>
      <App stream={STREAM} />
    </StrictMode>,
  )
  await waitFor(() => expect(text('price')).toBe('AAPL 187.4'))
  expect(text('notice')).toBe('Trading halts at 16:00')
  expect(history()).toEqual(['AAPL 187.2', 'AAPL 187.4'])
  expect(text('status')).toBe('open')
  // StrictMode mounted, unmounted and mounted the four components again: still one connection.
  expect(connections).toBe(1)
})

it('shows the error of a dropped stream and when it retries, then resumes from the last event id', async () => {
  vi.useFakeTimers() // the reconnection waits for the test's clock
  vi.spyOn(Math, 'random').mockReturnValue(0) // no jitter: the first retry comes after exactly 1 s
  const lastEventIds: Array<string | null> = []
  let drop = (): void => {}
  server.use(
    sse(STREAM, ({client, request}) => {
      const lastEventId = request.headers.get('last-event-id')
      lastEventIds.push(lastEventId)
      if (lastEventId === null) {
        client.send({id: '1', data: 'AAPL 187.2'})
        client.send({id: '2', data: 'AAPL 187.4'})
        drop = () => client.error()
      } else {
        client.send({id: '3', data: 'AAPL 188.1'}) // what came after the last id the app saw
      }
    }),
  )
  render(<App stream={STREAM} />)
  await act(() => vi.advanceTimersByTimeAsync(0)) // fetching and reading take promise turns, not time
  expect(history()).toEqual(['AAPL 187.2', 'AAPL 187.4'])

  act(() => drop())
  await act(() => vi.advanceTimersByTimeAsync(0))
  expect(text('status')).toBe('reconnecting')
  expect(text('error')).toBe('network')
  expect(text('reconnects')).toBe('1')
  expect(screen.getByText(/attempt 1 in 1000 ms/)).toBeDefined()
  await act(() => vi.advanceTimersByTimeAsync(999))
  expect(lastEventIds).toEqual([null])

  await act(() => vi.advanceTimersByTimeAsync(1))
  expect(lastEventIds).toEqual([null, '2'])
  expect(history()).toEqual(['AAPL 187.2', 'AAPL 187.4', 'AAPL 188.1'])
  expect(text('status')).toBe('open')
  expect(screen.queryByTestId('error')).toBeNull()
})

it('stops for good on a 401 and says why', async () => {
  let requests = 0
  server.use(
    http.get(STREAM, () => {
      requests++
      return new HttpResponse('Sign in first', {status: 401})
    }),
  )
  render(<App stream={STREAM} />)
  await waitFor(() => expect(text('status')).toBe('closed'))
  expect(text('error')).toBe('http-status')
  expect(text('reconnects')).toBe('0')
  expect(requests).toBe(1)
})
