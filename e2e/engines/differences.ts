// What differs between the engines, in data: the specs look up their engine's row instead of branching. Each entry
// says what was seen and which test shows it; the client README's support table says the same in prose. A spec that
// compares Holdfast with the native EventSource (the redirect matrix, say) runs in every engine when it drives pages
// through the `harness` and `engine` fixtures only (not `page` or `context`), and puts the native behaviour that
// differs by engine here, as a field of `NativeBehaviour` with the test that shows it.
import type {LastEventIdTransport} from '@holdfast/client'
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
}

export const native: Record<EngineName, NativeBehaviour> = {
  chromium: {openAtHead: true, dispatchesNulIdEvent: true, whileOffline: 'retries'},
  firefox: {openAtHead: false, dispatchesNulIdEvent: false, whileOffline: 'closes'},
  webkit: {openAtHead: true, dispatchesNulIdEvent: true, whileOffline: undefined},
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
}

export const holdfast: Record<EngineName, HoldfastBehaviour> = {
  chromium: {openAtHead: true, cutCode: 'network', nonAsciiIdIn: 'header'},
  firefox: {openAtHead: false, cutCode: 'network', nonAsciiIdIn: 'header'},
  webkit: {openAtHead: true, cutCode: 'stream-ended', nonAsciiIdIn: 'query'},
}
