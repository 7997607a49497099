// What differs between the engines, in data: the specs look up their engine's row instead of branching. Each entry
// says what was seen and which test shows it; the client README's support table says the same in prose. A spec that
// compares Holdfast with the native EventSource (the redirect matrix, say) runs in every engine when it drives pages
// through the `harness` and `engine` fixtures only (not `page` or `context`), and puts the native behaviour that
// differs by engine here, as a field of `NativeBehaviour` with the test that shows it.
import type {LastEventIdTransport} from '@holdfast/client'
import type {RedirectStatus} from '../support/redirect-matrix'
import type {EngineName} from './engines'

/** How each engine's native `EventSource` behaves where the engines differ (Chromium's is the spec's reading). */
export interface NativeBehaviour {
  /**
   * Fires `open` when the response head arrives (`true`), or only with the first byte of the body (Firefox:
   * its `fetch()` resolves then too, so Holdfast's `open` follows). watchdog.spec.ts
   */
  openAtHead: boolean
  /**
   * Dispatches an event whose `id:` field holds a NUL (the spec: ignore the field, dispatch the event). Firefox
   * drops the whole event. stream-faults.spec.ts, malformed frames
   */
  dispatchesNulIdEvent: boolean
  /**
   * Offline, after its stream dropped: keeps reconnecting at its `retry:` pace and resumes once online (Chromium), or
   * closes for good at the first failed attempt (Firefox). Not driven in WebKit (no offline switch over WebDriver).
   * network.spec.ts
   */
  whileOffline: 'retries' | 'closes' | undefined
  /** What it does with a redirect, where the engines differ. redirects.spec.ts */
  redirects: NativeRedirects
}

/**
 * How the native EventSource follows a redirect, where the engines differ (what they share, redirect-matrix.ts: one
 * request per hop, Last-Event-ID sent to another origin without a preflight, no cookie there).
 */
export interface NativeRedirects {
  /**
   * The redirect statuses after which its reconnections go to the final URL; after the others, through the URL it
   * was given. Chromium: after every one ([spec], whatwg/html#503); Firefox: after the permanent ones only; WebKitGTK:
   * after none.
   */
  finalAfter: readonly RedirectStatus[]
}

export const EVERY_REDIRECT: readonly RedirectStatus[] = [301, 302, 303, 307, 308]

export const native: Record<EngineName, NativeBehaviour> = {
  chromium: {
    openAtHead: true,
    dispatchesNulIdEvent: true,
    whileOffline: 'retries',
    redirects: {finalAfter: EVERY_REDIRECT},
  },
  firefox: {
    openAtHead: false,
    dispatchesNulIdEvent: false,
    whileOffline: 'closes',
    redirects: {finalAfter: [301, 308]},
  },
  webkit: {
    openAtHead: true,
    dispatchesNulIdEvent: true,
    whileOffline: undefined,
    redirects: {finalAfter: []},
  },
}

/** Where the engines make Holdfast itself behave differently (documented, not bugs of Holdfast). */
export interface HoldfastBehaviour {
  /** Holdfast's `open`: at the response head, or with the first body byte (Firefox's `fetch`). watchdog.spec.ts */
  openAtHead: boolean
  /**
   * The error code when the server's socket closes in the middle of a chunked response: `network` where the body
   * stream errors; WebKitGTK ends the body as if it were complete, so Holdfast sees `stream-ended`. Either way it
   * reconnects with Last-Event-ID. stream-faults.spec.ts
   */
  cutCode: 'network' | 'stream-ended'
  /**
   * Where a non-ASCII Last-Event-ID goes with the default `lastEventIdIn: 'header'`. WebKitGTK encodes a header
   * value's characters as UTF-8 again, so no header can carry the id's bytes: Holdfast sends the query parameter
   * instead (packages/client/src/resume.ts). resume.spec.ts
   */
  nonAsciiIdIn: LastEventIdTransport
  /** What the engine's `fetch` does on a redirect to another origin, where the engines differ. redirects.spec.ts */
  crossOriginHop: CrossOriginHop
}

/**
 * The CORS preflights of a request that a redirect took to another origin with headers no safelist covers (Holdfast's
 * `X-Api-Key`, Last-Event-ID). Every engine drops `Authorization` from the request itself on the hop.
 */
export interface CrossOriginHop {
  /**
   * Whether a request reuses the answer to an earlier preflight for the same URL (`Access-Control-Max-Age`), or asks
   * again. Under the `cache: 'no-store'` that the spec gives EventSource requests (and Holdfast gives its own),
   * Chromium and Firefox ask again for every request, WebKitGTK reuses the answer. (Tried beside the matrix: a plain
   * `fetch` to another origin with `X-Api-Key`, three times, asked three preflights in Chromium under `no-store` and
   * one under the default cache mode; three in Firefox under either.)
   */
  reusesPreflight: boolean
  /**
   * What the `Authorization` that the caller gave and fetch dropped on the hop does to the preflight. `forgotten`
   * (Chromium): nothing, a request left with safelisted headers alone goes without one. `empty` (Firefox): a
   * preflight all the same, asking for no header. `named` (WebKitGTK): the preflight asks for `Authorization`, so the
   * other origin must allow it by CORS, or the request is never sent. Only the name travels: the request itself goes
   * without the header everywhere.
   */
  droppedAuthorization: 'forgotten' | 'empty' | 'named'
}

export const holdfast: Record<EngineName, HoldfastBehaviour> = {
  chromium: {
    openAtHead: true,
    cutCode: 'network',
    nonAsciiIdIn: 'header',
    crossOriginHop: {reusesPreflight: false, droppedAuthorization: 'forgotten'},
  },
  firefox: {
    openAtHead: false,
    cutCode: 'network',
    nonAsciiIdIn: 'header',
    crossOriginHop: {reusesPreflight: false, droppedAuthorization: 'empty'},
  },
  webkit: {
    openAtHead: true,
    cutCode: 'stream-ended',
    nonAsciiIdIn: 'query',
    crossOriginHop: {reusesPreflight: true, droppedAuthorization: 'named'},
  },
}
