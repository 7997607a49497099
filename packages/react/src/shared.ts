/**
 * `@holdfast/react/shared`: `useSharedEventSource`, the hook on a `SharedEventSource`, so that the components of every
 * tab of the origin share one connection. A separate entry, so that apps that do not share pay nothing for it.
 */
import type {MessageMap} from '@holdfast/client'
import {SharedEventSource, type SharedEventSourceInit} from '@holdfast/client/shared'
import type {
  CreateEventSource,
  EventSourceResult,
  TypedUseEventSource,
  UseEventSourceOptions,
  UseEventSourceReducerOptions,
} from './types'
import {useEventSource} from './use-event-source'

/** Who the stream is for, when its headers say it: tabs share a stream only when they give the same `shareKey`. */
type Sharing = Pick<SharedEventSourceInit, 'shareKey' | 'sharing'>

const createShared: CreateEventSource = (url, init) => new SharedEventSource(url, init)

/** With `initialData`, as `useEventSource`: `data` is typed `T`. */
export function useSharedEventSource<T = string>(
  url: string | null,
  options: UseEventSourceOptions<T> & Sharing & {initialData: T; reducer?: undefined},
): EventSourceResult<T>
/**
 * `useEventSource` across tabs: the components of this tab share one connection, and so do the tabs of the origin,
 * through `SharedEventSource` (one leader tab runs it; the others follow). Where sharing cannot run (no Web Locks or
 * BroadcastChannel), each tab runs its own, as `useEventSource` does.
 * @example
 * const {data: unread} = useSharedEventSource('/api/notifications', {shareKey: user.id, parse: Number})
 */
export function useSharedEventSource<T = string>(
  url: string | null,
  options?: UseEventSourceOptions<T> & Sharing & {reducer?: undefined},
): EventSourceResult<T | undefined>
/** With a reducer, as `useEventSource`. */
export function useSharedEventSource<T = string, S = unknown>(
  url: string | null,
  options: UseEventSourceReducerOptions<T, S> & Sharing,
): EventSourceResult<S>
export function useSharedEventSource(
  url: string | null,
  options: UseEventSourceOptions<unknown> & Sharing = {},
): EventSourceResult<unknown> {
  // Every source option is part of the stream's key: a `shareKey` (even `''`) keeps a plain `useEventSource` on the
  // same URL, which has none, on a connection of its own.
  return useEventSource(url, {...options, shareKey: options.shareKey ?? '', create: createShared} as never)
}

/** [ext] `useSharedEventSource`, checked against a stream's declared types: see `useEventSource.withTypes`. */
useSharedEventSource.withTypes = <M extends MessageMap>(): TypedUseEventSource<M, Sharing> =>
  useSharedEventSource as never
