// The redirect matrix as data: the cases, what each client does with a redirect, and what the servers should count.
// pages/redirects.js runs the clients in a page; tests/redirects.spec.ts drives it in every engine. What the native
// EventSource does differently in an engine is in engines/differences.ts (`native[engine].redirects`).
import {EVERY_REDIRECT, holdfast, native} from '../engines/differences'
import type {EngineName} from '../engines/engines'

/** A client of pages/redirects.js: the browser's own EventSource, Holdfast, or Holdfast with a custom `fetch`. */
export type ClientName = 'native' | 'holdfast' | 'holdfast-fetch'

/** Where the redirect points: the named URL's origin, or another origin (which allows the page's origin by CORS). */
export type Where = 'same' | 'other'

/** When the named URL starts to redirect: on the first connection, or on a reconnection after a plain stream. */
export type When = 'first' | 'reconnection'

export interface RedirectCase {
  status: 301 | 302 | 303 | 307 | 308
  where: Where
  when: When
  method: 'GET' | 'POST'
  /** The named URL redirects once, then answers 410 Gone (a one-time signed URL, a login hand-off). */
  once?: boolean
}

/** Where reconnections go after a redirect: the final URL of the last response, or the URL the caller named. */
export type Target = 'final' | 'named'

export type RedirectStatus = RedirectCase['status']

/** What a client does with redirects. */
export interface Behaviour {
  /**
   * The redirect statuses after which its reconnections go to the final URL, after a redirect to the same origin and
   * to another; after the others they go through the URL it was given.
   */
  finalAfter: Record<Where, readonly RedirectStatus[]>
}

/**
 * Holdfast, in every engine: [spec] the final URL on the same origin; [ext] through the named URL when the redirect
 * went to another origin, so that the caller's headers are only ever addressed to the origin it named.
 */
export const holdfastBehaviour: Behaviour = {finalAfter: {same: EVERY_REDIRECT, other: []}}

export function behaviour(client: ClientName, engine: EngineName): Behaviour {
  if (client !== 'native') return holdfastBehaviour
  const {finalAfter} = native[engine].redirects
  return {finalAfter: {same: finalAfter, other: finalAfter}}
}

/** Where `client`'s reconnections go in `engine` after the case's redirect. */
export function reconnectsTo(test: RedirectCase, client: ClientName, engine: EngineName): Target {
  return behaviour(client, engine).finalAfter[test.where].includes(test.status) ? 'final' : 'named'
}

/** The headers the caller gives each client: Holdfast's `headers` option, or what its custom fetch adds. */
export const callerHeaders: Record<ClientName, {init: Record<string, string>; fetch: Record<string, string>}> = {
  native: {init: {}, fetch: {}},
  holdfast: {init: {authorization: 'Bearer secret', 'x-api-key': 'key'}, fetch: {}},
  'holdfast-fetch': {init: {}, fetch: {authorization: 'Bearer from-fetch'}},
}

/** The request headers the matrix watches; a request is summed up by which of them it carried. */
export const WATCHED = ['authorization', 'x-api-key', 'cookie'] as const

/**
 * One request as the server counted it: `GET 307 lei=1 body authorization cookie` (method, status, its Last-Event-ID,
 * whether it had a body, which watched headers it carried).
 */
export function summary(request: {
  method: string
  status?: number
  lastEventId?: string
  body?: string
  headers: Record<string, unknown>
}): string {
  return [
    request.method,
    String(request.status),
    ...(request.lastEventId === undefined ? [] : [`lei=${request.lastEventId}`]),
    ...(request.body ? ['body'] : []),
    ...WATCHED.filter((name) => request.headers[name] !== undefined),
  ].join(' ')
}

/** The hops of one attempt: which URL answered what. */
type Hop = {at: 'named' | 'final'; status: number}

/** The hops of each attempt a client makes, until its last stream (or its end). */
function attempts(test: RedirectCase, target: Target): Hop[][] {
  const redirect: Hop[] = [
    {at: 'named', status: test.status},
    {at: 'final', status: 200},
  ]
  const again: Hop[] = target === 'final' ? [{at: 'final', status: 200}] : redirect
  if (test.once) return [redirect, target === 'final' ? again : [{at: 'named', status: 410}]]
  return test.when === 'first' ? [redirect, again] : [[{at: 'named', status: 200}], redirect, again]
}

/**
 * The headers that the preflight of a request to another origin asks for, sorted, or `undefined` when it needs none.
 * `headers` are the request's after the hop (without Authorization); `caller` the caller's own. A preflight asks for
 * the headers no CORS-safelist covers: the caller's `X-Api-Key`, and Holdfast's Last-Event-ID (every engine exempts
 * the native source's); and, when the caller gave Authorization, what the engine makes of the header it dropped
 * (differences.ts `crossOriginHop`).
 */
export function preflightAsks(
  headers: Record<string, string>,
  caller: Record<string, string>,
  client: ClientName,
  engine: EngineName,
): string[] | undefined {
  const names = new Set(Object.keys(headers).filter((name) => name !== 'cookie'))
  if (client === 'native') names.delete('last-event-id')
  const dropped = 'authorization' in caller ? holdfast[engine].crossOriginHop.droppedAuthorization : 'forgotten'
  if (dropped === 'named') names.add('authorization')
  return names.size > 0 || dropped !== 'forgotten' ? [...names].sort() : undefined
}

/** A preflight as `Preflights.to` gives it: `OPTIONS GET last-event-id,x-api-key`, `OPTIONS GET` (asking for none). */
export function preflightLine(method: string, asked: string[]): string {
  return ['OPTIONS', method, asked.join(',')].filter(Boolean).join(' ')
}

/**
 * The headers a preflight's answer allows: the test server's `cors.headers` when set, else the headers asked for and
 * those it always allows (packages/test-server/src/http/cors.ts).
 */
export function allowedBy(corsHeaders: readonly string[] | undefined, asked: string[]): string[] {
  const always = ['last-event-id', 'authorization', 'content-type', 'cache-control', 'x-holdfast-token']
  return corsHeaders ? corsHeaders.map((name) => name.toLowerCase()) : [...always, ...asked]
}

/** What the preflight of `client`'s first hop to another origin asks for in `engine` (`undefined`: it needs none). */
export function firstHopAsks(client: ClientName, engine: EngineName): string[] | undefined {
  const caller = {...callerHeaders[client].init, ...callerHeaders[client].fetch}
  const headers = Object.fromEntries(Object.entries(caller).filter(([name]) => name !== 'authorization'))
  return preflightAsks(headers, caller, client, engine)
}

/** What each URL should count when `client` runs `test` in `engine`: its requests, and the other origin's preflights. */
export interface Counted {
  named: string[]
  final: string[]
  /** The CORS preflights for the final URL, as `Preflights.to` gives them. */
  preflights: string[]
}

/**
 * The requests each URL should count, as `summary` lines, and the preflights of the final URL, when `client` runs
 * `test` in `engine`, the other origin allowing by CORS the page's origin and `corsHeaders` (every header when
 * undefined; no request of the case may need another one). Every attempt after the first sends the id of the event
 * before it (one event is published per stream; each channel's ids run 1, 2…). Where the engine reuses a preflight's
 * answer for the same URL, only a header it did not allow asks again.
 */
export function expectedRequests(
  test: RedirectCase,
  client: ClientName,
  engine: EngineName,
  corsHeaders?: readonly string[],
): Counted {
  const target = reconnectsTo(test, client, engine)
  const caller = {...callerHeaders[client].init, ...callerHeaders[client].fetch}
  const counted: Counted = {named: [], final: [], preflights: []}
  const {reusesPreflight} = holdfast[engine].crossOriginHop
  let allowed: string[] | undefined
  const ids = test.when === 'first' || test.once ? ['1'] : ['1', '1']
  attempts(test, target).forEach((hops, attempt) => {
    const lastEventId = ids[attempt - 1]
    for (const hop of hops) {
      const otherOrigin = hop.at === 'final' && test.where === 'other'
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(caller))
        // Fetch drops Authorization on a hop to another origin; other headers travel there with its CORS consent.
        if (!(otherOrigin && name === 'authorization')) headers[name] = value
      if (lastEventId !== undefined) headers['last-event-id'] = lastEventId
      // The page's cookie goes to its own origin only (credentials: same-origin).
      if (!otherOrigin) headers.cookie = 'session=1'
      if (otherOrigin) {
        const asked = preflightAsks(headers, caller, client, engine)
        if (asked && !(allowed && asked.every((name) => allowed!.includes(name)))) {
          counted.preflights.push(preflightLine(test.method, asked))
          if (reusesPreflight) allowed = allowedBy(corsHeaders, asked)
        }
      }
      // A POST keeps its method and body through a 307 or 308 (the only statuses it is tested with).
      const body = test.method === 'POST' ? 'prompt' : undefined
      counted[hop.at].push(summary({method: test.method, status: hop.status, lastEventId, body, headers}))
    }
  })
  return counted
}

/** What pages/redirects.js reports of one source. */
export interface Report {
  url: string
  readyState: number
  log: Array<{type: string; readyState: number; code?: string; data?: string; origin?: string}>
  /** The URLs its custom fetch was called with (`holdfast-fetch` only). */
  fetched: string[]
}

/** A report's events as lines: `open`, `message <data> <origin>`, `error [code]`. */
export function trace(report: Report): string[] {
  return report.log.map((entry) =>
    entry.type === 'message'
      ? `message ${entry.data} ${entry.origin}`
      : [entry.type, entry.code].filter(Boolean).join(' '),
  )
}

/**
 * What a client should fire when the case publishes one event per stream (`named 1` on the named URL's first
 * stream when the redirect comes on a reconnection, then `final 1` and `final 2`): each stream's `open` and message,
 * with the origin of the URL it came from, and an `error` between streams (Holdfast's says why).
 */
export function expectedTrace(
  test: RedirectCase,
  client: ClientName,
  engine: EngineName,
  urls: {named: string; final: string},
): string[] {
  const ended = client === 'native' ? 'error' : 'error stream-ended'
  const stream = (data: string, url: string): string[] => ['open', `message ${data} ${new URL(url).origin}`]
  const first = test.when === 'first' ? [] : [stream('named 1', urls.named)]
  // A once-only redirect: a reconnection through the named URL meets its 410, which closes the source.
  const closed = test.once && reconnectsTo(test, client, engine) === 'named'
  const streams = [
    ...first,
    stream('final 1', urls.final),
    closed ? [client === 'native' ? 'error' : 'error http-status'] : stream('final 2', urls.final),
  ]
  return streams.flatMap((lines, index) => (index === 0 ? lines : [ended, ...lines]))
}

/** Every case of the matrix: each status × where × when with GET; 307 and 308 with POST (Holdfast only). */
export const cases: RedirectCase[] = [
  ...([301, 302, 303, 307, 308] as const).flatMap((status) =>
    (['same', 'other'] as const).flatMap((where) =>
      (['first', 'reconnection'] as const).map((when) => ({status, where, when, method: 'GET' as const})),
    ),
  ),
  ...([307, 308] as const).flatMap((status) =>
    (['same', 'other'] as const).map((where) => ({status, where, when: 'first' as const, method: 'POST' as const})),
  ),
  ...(['same', 'other'] as const).map((where) => ({
    status: 307 as const,
    where,
    when: 'first' as const,
    method: 'GET' as const,
    once: true,
  })),
]

export function title(test: RedirectCase): string {
  const target = test.where === 'same' ? 'the same origin' : 'another origin'
  if (test.once) return `a ${test.status} to ${target} that answers once, then 410`
  return `a ${test.method} redirected by a ${test.status} to ${target} on the ${test.when === 'first' ? 'first connection' : 'reconnection'}`
}
