// What the fault buttons do, through the test server's HTTP control API (`/control/…`) and the demo's
// `/demo/restart`. Each action resolves with a sentence for the page's status line.

/**
 * @typedef {object} FaultActions
 * @property {() => Promise<string>} stall
 * @property {() => Promise<string>} dropMidEvent
 * @property {() => Promise<string>} unavailable
 * @property {() => Promise<string>} restart
 * @property {() => Promise<string>} goOffline
 * @property {() => Promise<string>} recover
 */

/** @param {number} n */
const streams = (n) => (n === 1 ? '1 open stream' : `${n} open streams`)

/**
 * @typedef {object} FaultOptions
 * @property {string} channel the live channel
 * @property {{setOffline(offline: boolean): void}} network the simulated network Holdfast listens to
 * @property {number} retryAfterSeconds the `Retry-After` of the 503s
 * @property {string} [base] the server's origin; the page's by default
 * @property {typeof globalThis.fetch} [fetch]
 */

/**
 * @param {FaultOptions} options
 * @returns {FaultActions}
 */
export function createFaults({
  channel,
  network,
  retryAfterSeconds,
  base = globalThis.location?.origin,
  fetch = globalThis.fetch,
}) {
  /**
   * @param {string} method @param {string} path @param {object} [body]
   * @returns {Promise<any>} the JSON answer
   */
  async function call(method, path, body) {
    const response = await fetch(new URL(path, base), {
      method,
      ...(body === undefined ? {} : {headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)}),
    })
    const answer = await response.json().catch(() => ({}))
    if (!response.ok) throw new Error(answer?.error?.message ?? `${method} ${path} answered ${response.status}`)
    return answer
  }

  /**
   * Injects `fault` on each stream open on the channel right now, and on nothing that connects later: that is how
   * a network path dies. Resolves with how many streams it reached (one may close between the list and the fault).
   * @param {object} fault
   */
  async function onEachOpenStream(fault) {
    const query = new URLSearchParams({channel, state: 'open'})
    const {connections} = /** @type {{connections: Array<{id: string}>}} */ (
      await call('GET', `/control/connections?${query}`)
    )
    const results = await Promise.allSettled(
      connections.map(({id}) => call('POST', '/control/faults', {...fault, channel, connection: id})),
    )
    return results.filter((result) => result.status === 'fulfilled').length
  }

  return {
    async stall() {
      const n = await onEachOpenStream({type: 'stall'})
      return `Stalled ${streams(n)}: the sockets stay open and nothing more is written, until you recover.`
    },
    async dropMidEvent() {
      const n = await onEachOpenStream({type: 'drop', midEvent: true})
      return `Dropping ${streams(n)} halfway through their next event.`
    },
    async unavailable() {
      await call('POST', '/control/faults', {
        type: 'status',
        status: 503,
        retryAfter: retryAfterSeconds,
        times: 'all',
        channel,
      })
      const n = await onEachOpenStream({type: 'drop'})
      return `Dropped ${streams(n)}; every reconnection gets 503 with Retry-After: ${retryAfterSeconds} until you recover.`
    },
    async restart() {
      const {downMs} = /** @type {{downMs: number}} */ (await call('POST', '/demo/restart'))
      return `Server restarting: the port is closed for ${downMs / 1000} s, then listens again.`
    },
    async goOffline() {
      // Offline first, as a browser fires `offline` before its streams fail; then the network really goes.
      network.setOffline(true)
      await call('POST', '/control/faults', {type: 'refuse', times: 'all', channel})
      const n = await onEachOpenStream({type: 'drop'})
      return `Offline (simulated): ${streams(n)} dropped, connections refused, until you recover.`
    },
    async recover() {
      const {cleared} = /** @type {{cleared: number}} */ (
        await call('DELETE', `/control/faults?${new URLSearchParams({channel})}`)
      )
      network.setOffline(false)
      // Clearing a fault lifts what it still causes: stalled streams resume and catch up from the log.
      return `Recovered: ${cleared === 1 ? '1 fault' : `${cleared} faults`} cleared, stalls lifted, back online.`
    },
  }
}
