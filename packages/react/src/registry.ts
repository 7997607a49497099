import type {HoldfastEventSourceInit} from '@holdfast/client'
import {SharedStream} from './shared-stream'
import type {CreateEventSource} from './types'

/** The streams some component uses (or used less than a macrotask ago), by key. */
const streams = new Map<string, SharedStream>()

/** The stream with this key, if it exists: a pure read, safe during render. */
export function peekStream(key: string): SharedStream | undefined {
  return streams.get(key)
}

/** The stream with this key, made if needed. It connects when a component attaches to it. */
export function streamFor(
  key: string,
  url: string,
  options: HoldfastEventSourceInit,
  create: CreateEventSource,
): SharedStream {
  let stream = streams.get(key)
  if (!stream) {
    stream = new SharedStream(key, url, options, create, (disposed) => {
      if (streams.get(disposed.key) === disposed) streams.delete(disposed.key)
    })
    streams.set(key, stream)
  }
  return stream
}

/**
 * Closes every stream of the hooks now, and forgets it with its latest messages and last event id: for tests, after
 * unmounting (React Testing Library's `cleanup()`), so that the next test opens a connection of its own and starts
 * from nothing. Without it, a stream outlives its last component by one macrotask (the deferred close that keeps it
 * through StrictMode), and a test that mounts the same stream within it joins the previous test's connection. A
 * component still mounted sees its stream `closed`, as after `close()`.
 * @example afterEach(() => { cleanup(); resetStreams() })
 */
export function resetStreams(): void {
  for (const stream of streams.values()) stream.dispose()
  streams.clear()
}

/** How many streams are alive: for tests that prove everything was released. */
export function liveStreamCount(): number {
  return streams.size
}
