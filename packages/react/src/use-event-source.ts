import {useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore} from 'react'
import {streamKey} from './stream-key'
import type {MessageMap} from '@holdfast/client'
import type {
  EventSourceResult,
  ParsedMessage,
  TypedUseEventSource,
  UseEventSourceOptions,
  UseEventSourceReducerOptions,
} from './types'
import {sourceOptions} from './hook-options'
import {StreamView, viewIdentity, type ViewOptions} from './view'

// Layout effects warn on the server in React 18; the ref update they make only matters in the browser.
const useIsomorphicLayoutEffect = typeof document === 'undefined' ? useEffect : useLayoutEffect

/**
 * `useEventSource` with `initialData`: `data` is typed `T` (no `undefined`), and is `initialData` until the first
 * message, on the server and during hydration too.
 * @example
 * const {data: count} = useEventSource('/api/unread', {parse: Number, initialData: unreadFromServer})
 */
export function useEventSource<T = string>(
  url: string | null,
  options: UseEventSourceOptions<T> & {initialData: T; reducer?: undefined},
): EventSourceResult<T>
/**
 * Subscribes this component to a Server-Sent Events stream through Holdfast's resilient `EventSource`.
 *
 * Every component that asks for the same stream (the same URL and options, or the same `key`) shares one
 * connection, opened when the first one mounts and closed when the last one unmounts. Safe under StrictMode (its
 * unmount and remount keep the connection) and on the server (no connection; `status` is `connecting`, or `idle`
 * when disabled or with `immediate: false`; `data` is `initialData`). Callbacks and `headers`, `parse` and `reducer`
 * functions are always the latest render's; a URL or option the source rejects comes back as `error`.
 *
 * @param url The stream's URL; `null` opens nothing (like `enabled: false`).
 * @example
 * const {data, status} = useEventSource('/api/prices', {parse: (text) => JSON.parse(text) as Price})
 */
export function useEventSource<T = string>(
  url: string | null,
  options?: UseEventSourceOptions<T> & {reducer?: undefined},
): EventSourceResult<T | undefined>
/**
 * With a reducer: `data` is the reducer's state, folded over every message of `types` this component received
 * (none is lost when React batches renders).
 * @example
 * const {data: lines} = useEventSource('/api/log', {reducer: (lines, m) => [...lines, m.data], initial: []})
 */
export function useEventSource<T = string, S = unknown>(
  url: string | null,
  options: UseEventSourceReducerOptions<T, S>,
): EventSourceResult<S>
export function useEventSource(url: string | null, options: ViewOptions = {}): EventSourceResult<unknown> {
  const latest = useRef(options)
  const key = options.key ?? (url === null ? 'null' : streamKey(url, sourceOptions(options)))
  const [opened, setOpened] = useState(options.immediate !== false)
  const activation = {enabled: options.enabled !== false && url !== null, opened}
  const aborted = useAborted(options.signal)
  const identity = viewIdentity(activation, aborted, key)

  // A new view when the stream changes: set during render, as React advises for state derived from props.
  const [view, setView] = useState(() => new StreamView(url, key, latest, options, activation))
  let current = view
  if (view.identity !== identity) {
    // The same stream paused and resumed (enabled, open()) keeps its data and resumes from the last id it saw.
    current = new StreamView(url, key, latest, options, activation, view.key === key ? view : undefined)
    setView(current)
  }

  useIsomorphicLayoutEffect(() => {
    latest.current = options
    current.optionsChanged()
  })

  const snapshot = useSyncExternalStore(current.subscribe, current.getSnapshot, current.getServerSnapshot)
  const close = useCallback(() => current.stream?.close(), [current])
  const open = useCallback(() => {
    setOpened(true)
    current.open()
  }, [current])
  const reconnect = useCallback(() => current.stream?.reconnect(), [current])
  return useMemo(() => ({...snapshot, close, open, reconnect}), [snapshot, close, open, reconnect])
}

/** [ext] Whether `signal` aborted: a render when it does. */
function useAborted(signal: AbortSignal | undefined): boolean {
  const subscribe = useCallback(
    (onAbort: () => void) => {
      signal?.addEventListener('abort', onAbort)
      return () => signal?.removeEventListener('abort', onAbort)
    },
    [signal],
  )
  const aborted = (): boolean => signal?.aborted ?? false
  return useSyncExternalStore(subscribe, aborted, aborted)
}

/**
 * [ext] The hook, checked against a stream's declared event types and their data: `types` among them, `parse`
 * returning theirs (required unless it is all strings), `data` and `message` typed by them. Costs nothing: it is
 * `useEventSource` itself.
 * @example
 * const useFeed = useEventSource.withTypes<{price: Quote; trade: Trade}>()
 * const {data} = useFeed('/api/feed', {types: ['price'], parse: (text) => JSON.parse(text)}) // data: Quote | undefined
 */
useEventSource.withTypes = <M extends MessageMap>(): TypedUseEventSource<M> => useEventSource as never

export type {ParsedMessage}
