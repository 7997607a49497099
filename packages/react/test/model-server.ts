/**
 * The server of the consumers' model: one log of events, every one with an id (`1`, `2`…) and a type, streamed to
 * every open connection. A request resumes after its `Last-Event-ID` (the events it missed, then live ones), or
 * starts live without one. Connections can be dropped; each remembers who made it, what it resumed from, and how
 * many messages its owner had dispatched then. An event's data names the connection that carried it.
 */
export interface ServerEvent {
  readonly id: number
  readonly type: string
}

/** Who makes requests: the model's source, or a hook's stream; `oracle` is every message it dispatched. */
export interface Owner {
  readonly oracle: readonly unknown[]
}

export interface ServerConnection {
  readonly number: number
  readonly owner: Owner
  /** How many messages the owner had dispatched when it made the request. */
  readonly dispatched: number
  /** The `Last-Event-ID` the request carried (`null` without one). */
  readonly lastEventId: string | null
  /** How many events the log held when the request arrived. */
  readonly logLength: number
  live: boolean
  readonly controller: ReadableStreamDefaultController<Uint8Array>
}

const encoder = new TextEncoder()

export class ModelServer {
  readonly log: ServerEvent[] = []
  readonly connections: ServerConnection[] = []

  /** A `fetch` for `owner`: its requests are recorded as its own. */
  fetchFor(owner: Owner): typeof fetch {
    return (_input, init) => this.#request(owner, init!)
  }

  #request(owner: Owner, init: RequestInit): Promise<Response> {
    const signal = init.signal!
    if (signal.aborted) return Promise.reject(new DOMException('aborted', 'AbortError'))
    const lastEventId = new Headers(init.headers).get('last-event-id')
    let controller!: ReadableStreamDefaultController<Uint8Array>
    const body = new ReadableStream<Uint8Array>({
      start: (c) => void (controller = c),
      cancel: () => void (connection.live = false),
    })
    const connection: ServerConnection = {
      number: this.connections.length,
      owner,
      dispatched: owner.oracle.length,
      lastEventId,
      logLength: this.log.length,
      live: true,
      controller,
    }
    this.connections.push(connection)
    // Tied to the request's signal, as a platform fetch's body is (see TOOLCHAIN.md on msw).
    signal.addEventListener('abort', () => {
      if (!connection.live) return
      connection.live = false
      controller.error(new DOMException('aborted', 'AbortError'))
    })
    const from = lastEventId === null ? this.log.length : Number(lastEventId)
    for (const event of this.log.slice(from)) this.#send(connection, event)
    return Promise.resolve(new Response(body, {headers: {'content-type': 'text/event-stream'}}))
  }

  publish(type: string): void {
    const event = {id: this.log.length + 1, type}
    this.log.push(event)
    for (const connection of this.live()) this.#send(connection, event)
  }

  /** Every open connection fails (a proxy restarts): the sources reconnect, resuming from their last id. */
  drop(): void {
    for (const connection of this.live()) {
      connection.live = false
      connection.controller.error(new TypeError('connection reset'))
    }
  }

  live(owner?: Owner): ServerConnection[] {
    return this.connections.filter((c) => c.live && (owner === undefined || c.owner === owner))
  }

  requests(owner: Owner): ServerConnection[] {
    return this.connections.filter((c) => c.owner === owner)
  }

  #send(connection: ServerConnection, {id, type}: ServerEvent): void {
    const frame = `${type === 'message' ? '' : `event: ${type}\n`}id: ${id}\ndata: ${type} ${id} #${connection.number}\n\n`
    connection.controller.enqueue(encoder.encode(frame))
  }
}
