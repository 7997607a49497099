/** Releases a response body that nobody will read (some `fetch`es do not tie it to the abort signal). */
export function cancelBody(response: Response): void {
  response.body?.cancel().catch(() => {})
}

/** Headers that are Holdfast's own, not the caller's: the only ones sent on to an origin the caller did not name. */
const OWN_HEADERS = /^(accept|last-event-id)$/

/** The response of a request that followed its redirects, and the URL it came from. */
export interface Followed {
  response: Response
  url: string
}

/**
 * [spec] Fetches `url`, following redirects, so that [ext] the caller's headers never reach an origin it did not
 * name. Where `fetch` shows redirects (`redirect: 'manual'` in Node, Deno, Bun and most custom fetches), each hop is
 * followed here, with fetch's own rules (a 303, or a POST moved by 301/302, becomes a GET without a body), and a hop
 * to another origin drops every header but Accept and Last-Event-ID, for this and every later hop. Where the browser
 * hides them (an opaque redirect), it follows them itself: it strips `Authorization` from a hop to another origin
 * and sends other headers there only when that origin allows them by a CORS preflight.
 */
export async function fetchFollowing(
  fetch: typeof globalThis.fetch,
  url: string,
  init: RequestInit & {headers: Headers},
): Promise<Followed> {
  for (let hops = 0; ; hops++) {
    const response = await fetch(url, {...init, redirect: 'manual'})
    if (response?.type === 'opaqueredirect') {
      const followed = await fetch(url, {...init, redirect: 'follow'})
      return {response: followed, url: (followed.redirected && followed.url) || url}
    }
    const location = response?.status >= 300 && response.status < 400 && response.headers.get('location')
    // fetch's limit: a 21st redirect is a network error; here the 3xx itself is reported.
    if (!location || hops === 20) return {response, url: (response?.redirected && response.url) || url}
    cancelBody(response)
    const next = new URL(location, url).href
    if (new URL(next).origin !== new URL(url).origin)
      init = {...init, headers: new Headers([...init.headers].filter(([name]) => OWN_HEADERS.test(name)))}
    if (response.status === 303 || (response.status < 303 && init.method === 'POST'))
      init = {...init, method: 'GET', body: null}
    url = next
  }
}
