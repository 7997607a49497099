import {cleanup} from '@testing-library/react'
import {afterEach, beforeEach, expect, vi} from 'vitest'
import {liveStreamCount} from '../src/registry'
import {FakeSource} from './fake-source'

// React's act() environment, as React Testing Library expects from a test runner without globals.
;(globalThis as {IS_REACT_ACT_ENVIRONMENT?: boolean}).IS_REACT_ACT_ENVIRONMENT = true

beforeEach(() => FakeSource.reset())

// Every test ends with every component unmounted, and then every stream closed and forgotten.
afterEach(async () => {
  cleanup()
  await vi.waitFor(() => expect(liveStreamCount()).toBe(0))
  for (const source of FakeSource.made) expect(source.closed, `${source.url} left open`).toBe(true)
})
