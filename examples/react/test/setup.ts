// msw's sse() needs a global EventSource, and jsdom and happy-dom have none: Holdfast's polyfill installs its own.
// It comes first, before any module that declares an sse() handler.
import '@holdfast/client/polyfill'
import {resetStreams} from '@holdfast/react'
import {cleanup, configure} from '@testing-library/react'
import {afterAll, afterEach, beforeAll} from 'vitest'
import {server} from './server'

// React Testing Library's act() environment and cleanup, which it sets up by itself only where a runner has globals.
;(globalThis as {IS_REACT_ACT_ENVIRONMENT?: boolean}).IS_REACT_ACT_ENVIRONMENT = true

// waitFor's bound is for a failure on a busy machine, not an expectation of speed: Testing Library's 1 s is short.
configure({asyncUtilTimeout: 10_000})

beforeAll(() => server.listen({onUnhandledRequest: 'error'}))
afterEach(() => {
  cleanup()
  // The hook keeps a stream one macrotask after its last component unmounts (for StrictMode): close them all now,
  // so that the next test opens its own connection and starts from nothing.
  resetStreams()
  server.resetHandlers()
})
afterAll(() => server.close())
