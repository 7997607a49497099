import {STATUS_CODES} from 'node:http'
import type {Channel, Subscriber} from './channel.js'
import {ArmedFaults} from './faults/armed.js'
import type {FaultEntry} from './faults/entry.js'
import {cursorFrame, gapFrame, HEARTBEAT, HEARTBEAT_CHUNK, retryFrame} from './frame.js'
import {Outbox} from './outbox.js'
import {PollWindow, type PollEnding} from './poll.js'
import {
  closeConnection,
  connectionHeaders,
  dropResponse,
  flushHead,
  protocolOf,
  refuseRequest,
  requestHeaders,
  type AnyRequest,
  type AnyResponse,
} from './protocol.js'
import type {LogEntry, ReplayPlan} from './replay-log.js'
import type {Stats} from './stats.js'
import type {
  ClosedBy,
  CloseReason,
  ConnectionRecord,
  FaultSource,
  FaultType,
  LogEntry as LogLine,
  ReplayReport,
  StatusFault,
  Transport,
} from './types.js'

/** What a stream needs from the server that owns it. */
export interface StreamHost {
  readonly heartbeatMs: number
  readonly maxQueuedBytes: number
  readonly stats: Stats
  log(entry: LogLine): void
  /** Called once, right after the stream closed, whoever closed it. */
  closed(stream: Stream): void
  /** Called after a fault took effect on the stream. */
  fired(entry: FaultEntry, stream: Stream): void
  /** Applies an armed fault to the stream (see faults/apply.ts). */
  apply(entry: FaultEntry, stream: Stream): void
  /** A long poll ended before `entry` fired on it: the fault waits for the next connection, `remaining` events away. */
  handBack(entry: FaultEntry, remaining: number): void
}

/** Everything known about the request when the stream is created. */
export interface StreamInit {
  id: string
  seq: number
  channel: Channel
  req: AnyRequest
  res: AnyResponse
  lastEventId: string | undefined
  lastEventIdFrom: 'header' | 'query' | undefined
  now: number
  /** [ext] How long a long poll waits for events; `undefined` for a stream (the response stays open). */
  pollTimeoutMs: number | undefined
}

interface Hold {
  faultId: string
  timer: ReturnType<typeof setTimeout> | undefined
  settle: (released: boolean) => void
}

interface Stall {
  faultId: string | undefined
  timer: ReturnType<typeof setTimeout> | undefined
}

/** Each phase owns its resources; `#finish` releases exactly what the current one holds. */
type Phase =
  | {name: 'connecting'; hold: Hold | undefined}
  | {
      name: 'open'
      heartbeat: ReturnType<typeof setInterval> | undefined
      heartbeatBy: string | undefined
      stall: Stall | undefined
      trickleBy: string | undefined
      /** A long poll's timers; `undefined` for a stream, and once the poll is ending. */
      poll: PollWindow | undefined
    }
  | {name: 'closed'}

const NO_REPLAY: ReplayReport = Object.freeze({result: 'none', events: 0})

/** The stream a response belongs to, so that one shared 'close' listener serves every response. */
const STREAM = Symbol('holdfast.stream')
type OwnedResponse = AnyResponse & {[STREAM]?: Stream}

function beat(stream: Stream): void {
  stream.heartbeat()
}

/**
 * One stream request, from arrival to close: the state machine every fault, heartbeat and delivery goes through.
 * Body bytes go through the Outbox only. A stalled stream skips events instead of queueing them and, when resumed,
 * replays what it missed from the channel's log: memory stays flat however long the stall.
 */
export class Stream implements Subscriber {
  readonly id: string
  readonly seq: number
  readonly channel: Channel
  readonly openedAt: number
  readonly lastEventId: string | undefined
  readonly lastEventIdFrom: 'header' | 'query' | undefined
  readonly transport: Transport
  readonly #pollTimeoutMs: number | undefined
  /** The request body of a POST, filled in as it arrives. */
  body: string | undefined
  readonly #req: AnyRequest
  readonly #res: AnyResponse
  readonly #host: StreamHost
  #phase: Phase = {name: 'connecting', hold: undefined}
  #outbox: Outbox | undefined
  #armed: ArmedFaults | undefined
  #fired: ConnectionRecord['faults'] | undefined
  #replay = NO_REPLAY
  #status: number | undefined
  /** Body bytes written outside the outbox (an error response's body). */
  #directBytes = 0
  #closedAt: number | undefined
  #closedBy: ClosedBy | undefined
  #closeReason: CloseReason | undefined
  #eventsSent = 0
  #heartbeatsSent = 0
  #lastSentId: string | undefined
  /** Seq of the last event handed to the outbox (or the point the client resumed from): catch-up starts after it. */
  #cursor = 0

  constructor(init: StreamInit, host: StreamHost) {
    this.id = init.id
    this.seq = init.seq
    this.channel = init.channel
    this.openedAt = init.now
    this.lastEventId = init.lastEventId
    this.lastEventIdFrom = init.lastEventIdFrom
    this.transport = init.pollTimeoutMs === undefined ? 'stream' : 'poll'
    this.#pollTimeoutMs = init.pollTimeoutMs
    this.#req = init.req
    this.#res = init.res
    this.#host = host
    // One shared listener instead of a closure and a `once` wrapper per stream: memory matters at 10 000 streams.
    ;(init.res as OwnedResponse)[STREAM] = this
    init.res.on('close', Stream.#onResponseClose)
  }

  get state(): 'connecting' | 'open' | 'closed' {
    return this.#phase.name
  }

  get stalled(): boolean {
    return this.#phase.name === 'open' && this.#phase.stall !== undefined
  }

  get closedBy(): ClosedBy | undefined {
    return this.#closedBy
  }

  get closeReason(): CloseReason | undefined {
    return this.#closeReason
  }

  get bytesSent(): number {
    return (this.#outbox?.bytesSent ?? 0) + this.#directBytes
  }

  // --- connecting ----------------------------------------------------------------------------------------------

  /** Holds the request before its head, for `durationMs` or until released. Resolves false if it closed meanwhile. */
  hold(faultId: string, durationMs: number | undefined): Promise<boolean> {
    return new Promise((settle) => {
      if (this.#phase.name !== 'connecting') return settle(false)
      const timer = durationMs === undefined ? undefined : setTimeout(() => this.#release(), durationMs)
      this.#phase = {name: 'connecting', hold: {faultId, timer, settle}}
    })
  }

  /** Answers with an error status instead of a stream. */
  reject(fault: StatusFault): void {
    if (this.#phase.name !== 'connecting') return
    const status = fault.status
    const noBody = status === 204 || status === 304
    const body = noBody ? '' : (fault.body ?? `${status} ${STATUS_CODES[status] ?? ''}`.trim())
    const headers: Record<string, string> = {...(noBody ? {} : {'Content-Type': 'text/plain; charset=utf-8'})}
    if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter)
    Object.assign(headers, fault.headers)
    this.#status = status
    this.#directBytes = Buffer.byteLength(body)
    this.#finish('fault', 'fault-status')
    this.#res.writeHead(status, headers).end(body)
  }

  /** Resets the connection without any response. */
  refuse(): void {
    if (this.#phase.name !== 'connecting') return
    this.#finish('fault', 'fault-refuse')
    refuseRequest(this.#res)
  }

  /**
   * Sends an error response for a request that cannot become a stream (the server is closing, say); with
   * `closeSocket`, the socket is closed once the response is flushed.
   */
  fail(status: number, closedBy: ClosedBy, reason: CloseReason, message: string, closeSocket = false): void {
    if (this.#phase.name !== 'connecting') return
    this.#status = status
    this.#directBytes = Buffer.byteLength(message)
    this.#finish(closedBy, reason)
    this.#res
      .writeHead(status, {'Content-Type': 'text/plain; charset=utf-8'})
      .end(message, closeSocket ? closeConnection(this.#res) : undefined)
  }

  /**
   * Sends the head, arms the faults, then writes the `retry:` hint, the replay and subscribes: all synchronously,
   * so no event published meanwhile can slip between the replay and the live feed (no gap, no duplicate).
   */
  open(options: {contentType: string; retryMs: number | false; plan: ReplayPlan; faults: FaultEntry[]}): void {
    if (this.#phase.name !== 'connecting') return
    const {plan} = options
    this.#status = 200
    this.#res.writeHead(200, {
      'Content-Type': options.contentType,
      'Cache-Control': 'no-cache, no-transform',
      ...connectionHeaders(this.#res),
      'X-Accel-Buffering': 'no',
      'X-Holdfast-Connection': this.id,
      'X-Holdfast-Replay': plan.result,
      'X-Holdfast-Transport': this.transport,
    })
    flushHead(this.#res)
    const host = this.#host
    this.#outbox = new Outbox(this.#res, host.maxQueuedBytes, this)
    const timeoutMs = this.#pollTimeoutMs
    const poll = timeoutMs === undefined ? undefined : new PollWindow(timeoutMs, (ending) => this.#endPoll(ending))
    this.#phase = {
      name: 'open',
      heartbeat: undefined,
      heartbeatBy: undefined,
      stall: undefined,
      trickleBy: undefined,
      poll,
    }
    this.#startHeartbeat(host.heartbeatMs)
    if (plan.result !== 'none') this.#replay = {result: plan.result, events: plan.entries.length}
    this.#cursor = (plan.entries[0]?.seq ?? this.channel.lastSeq + 1) - 1
    host.stats.streamOpened(this.transport, protocolOf(this.#req))
    for (const entry of options.faults) this.arm(entry)
    if (options.retryMs !== false) this.write(retryFrame(options.retryMs))
    // A poll with no position yet gets one at once: the next poll resumes from here, whatever is published meanwhile.
    if (plan.result === 'none' && poll) this.write(cursorFrame(this.channel.lastSeq))
    this.#replayPlan(plan, this.lastEventId ?? '')
    host.stats.eventsReplayed += plan.entries.length
    if (this.#phase.name === 'open') this.channel.subscribers.add(this)
  }

  // --- open ----------------------------------------------------------------------------------------------------

  /** Delivers one event from the channel (live or replayed). */
  sendEvent(entry: LogEntry): void {
    const outbox = this.#outbox
    if (this.#phase.name !== 'open' || !outbox || this.#phase.stall) return
    const cut = this.#armed?.takeCut()
    if (cut) {
      this.#cut(entry.frame, cut)
      return
    }
    // [ext] Ids skipped: the events between are gone for good (a fleet's log trimmed while this server was cut off
    // from Redis). Say so, as a replay would, rather than let the client believe it has everything.
    if (entry.seq > this.#cursor + 1) this.write(gapFrame(String(this.#cursor), {oldestId: entry.event.id}))
    outbox.write(entry.frame, undefined, entry.wire)
    this.#eventsSent++
    this.#host.stats.eventsSent++
    this.#cursor = entry.seq
    this.#lastSentId = entry.event.id
    this.#phase.poll?.eventSent()
    if (this.#armed) this.#countDown()
  }

  /** Writes bytes that are not an event of the log (a fault's frame, the shutdown event). */
  write(frame: Buffer): void {
    if (this.#phase.name === 'open') this.#outbox?.write(frame)
  }

  /** Called by the heartbeat timer: a comment, unless the stream is stalled or already has bytes waiting. */
  heartbeat(): void {
    const outbox = this.#outbox
    if (this.#phase.name !== 'open' || !outbox?.idle) return
    outbox.write(HEARTBEAT, undefined, HEARTBEAT_CHUNK)
    this.#heartbeatsSent++
    this.#host.stats.heartbeats++
  }

  /** Arms a fault: it fires after `after` more events, or now. A mid-event drop waits for the next event. */
  arm(entry: FaultEntry): void {
    if (this.#phase.name !== 'open') return
    if (!(this.#armed ??= new ArmedFaults()).add(entry)) this.#fire(entry)
  }

  /** Stops all writing (heartbeats included) for `durationMs`, or until resumed. */
  stall(faultId: string | undefined, durationMs: number | undefined): void {
    const phase = this.#phase
    if (phase.name !== 'open') return
    if (phase.stall?.timer) clearTimeout(phase.stall.timer)
    const timer = durationMs === undefined ? undefined : setTimeout(() => this.#unstall(), durationMs)
    phase.stall = {faultId, timer}
    phase.poll?.pause()
    this.#outbox?.stall()
  }

  /** Writes every following byte one at a time. */
  trickle(faultId: string, intervalMs: number): void {
    if (this.#phase.name !== 'open') return
    this.#phase.trickleBy = faultId
    this.#outbox?.trickle(intervalMs)
  }

  /** Changes the heartbeat interval until the fault is cleared. */
  setHeartbeat(faultId: string, intervalMs: number): void {
    if (this.#phase.name !== 'open') return
    this.#phase.heartbeatBy = faultId
    this.#startHeartbeat(intervalMs)
  }

  /** Lifts a stall or a hold: any, or only the one `faultId` caused. True if something was lifted. */
  resume(faultId?: string): boolean {
    const phase = this.#phase
    if (phase.name === 'connecting' && phase.hold && (faultId === undefined || phase.hold.faultId === faultId)) {
      this.#release()
      return true
    }
    if (phase.name === 'open' && phase.stall && (faultId === undefined || phase.stall.faultId === faultId)) {
      this.#unstall()
      return true
    }
    return false
  }

  /** Disarms a fault and lifts whatever it still causes here. True if anything changed. */
  clearFault(faultId: string): boolean {
    let changed = this.#armed?.remove(faultId) ?? false
    changed = this.resume(faultId) || changed
    const phase = this.#phase
    if (phase.name === 'open' && phase.trickleBy === faultId) {
      phase.trickleBy = undefined
      this.#outbox?.trickle(0)
      changed = true
    }
    if (phase.name === 'open' && phase.heartbeatBy === faultId) {
      phase.heartbeatBy = undefined
      this.#startHeartbeat(this.#host.heartbeatMs)
      changed = true
    }
    return changed
  }

  /** Records that a fault fired here; faults/apply.ts calls it before the effect. */
  noteFired(id: string, type: FaultType, via: FaultSource): void {
    ;(this.#fired ??= []).push({id, type, via})
  }

  // --- closing -------------------------------------------------------------------------------------------------

  /**
   * Ends the response cleanly, after what is queued: the client sees the stream end. With `closeSocket` (a
   * shutdown), the socket is closed too once the end is flushed, instead of waiting idle for its next request.
   */
  end(closedBy: ClosedBy, reason: CloseReason, closeSocket = false): void {
    if (this.#phase.name === 'connecting') {
      this.fail(503, closedBy, reason, `stream closed before it opened: ${reason}`, closeSocket)
      return
    }
    if (this.#phase.name !== 'open') return
    const outbox = this.#outbox
    outbox?.flushAll()
    outbox?.close()
    this.#finish(closedBy, reason)
    // Node detaches the socket from the response when it finishes: closeConnection holds on to it.
    this.#res.end(closeSocket ? closeConnection(this.#res) : undefined)
  }

  /** Cuts the response off without ending it (see `dropResponse`): the client sees a network error. */
  destroy(closedBy: ClosedBy, reason: CloseReason, reset = false): void {
    if (this.#phase.name === 'closed') return
    this.#outbox?.close()
    this.#finish(closedBy, reason)
    dropResponse(this.#res, reset)
  }

  snapshot(): ConnectionRecord {
    const req = this.#req
    const phase = this.#phase
    return {
      id: this.id,
      seq: this.seq,
      channel: this.channel.name,
      transport: this.transport,
      protocol: protocolOf(req),
      state: phase.name,
      method: req.method ?? 'GET',
      url: req.url ?? '',
      headers: requestHeaders(req),
      body: this.body,
      lastEventId: this.lastEventId,
      lastEventIdFrom: this.lastEventIdFrom,
      replay: {...this.#replay},
      status: this.#status,
      openedAt: this.openedAt,
      closedAt: this.#closedAt,
      closedBy: this.#closedBy,
      closeReason: this.#closeReason,
      bytesSent: this.bytesSent,
      eventsSent: this.#eventsSent,
      lastSentId: this.#lastSentId,
      heartbeatsSent: this.#heartbeatsSent,
      queuedBytes: this.#outbox?.queuedBytes ?? 0,
      stalled: this.stalled,
      faults: [...(this.#fired ?? [])],
      remoteAddress: req.socket.remoteAddress,
    }
  }

  // --- internals -----------------------------------------------------------------------------------------------

  #fire(entry: FaultEntry): void {
    this.#host.apply(entry, this)
  }

  /** One event was delivered: count down the armed faults and fire those that are due (in arming order). */
  #countDown(): void {
    for (const entry of this.#armed?.countDown() ?? []) {
      if (this.#phase.name !== 'open') return
      this.#fire(entry)
    }
  }

  /** A mid-event drop: the first half of the frame reaches the client, then the socket is destroyed. */
  #cut(frame: Buffer, entry: FaultEntry): void {
    const outbox = this.#outbox as Outbox
    this.noteFired(entry.id, entry.fault.type, entry.via)
    const reset = entry.fault.type === 'drop' && entry.fault.reset === true
    if (!outbox.idle && !outbox.trickling) {
      // Backpressured: half an event cannot arrive in time; drop now.
      this.destroy('fault', 'fault-drop', reset)
    } else {
      this.#finish('fault', 'fault-drop')
      outbox.write(frame.subarray(0, Math.floor(frame.length / 2)), () => {
        outbox.close()
        dropResponse(this.#res, reset)
      })
    }
    this.#host.fired(entry, this)
  }

  #replayPlan(plan: ReplayPlan, lastEventId: string): void {
    if (plan.result === 'too-old' || plan.result === 'unknown-id') this.write(gapFrame(lastEventId, plan))
    for (const entry of plan.entries) {
      if (this.#phase.name !== 'open') return
      this.sendEvent(entry)
    }
  }

  /**
   * A long poll is done: no more live events (the next poll replays them), the faults that did not fire here go back
   * to wait for the next connection, and the response ends once its last byte is out (a trickle takes its time).
   */
  #endPoll(ending: PollEnding): void {
    const phase = this.#phase
    if (phase.name !== 'open') return
    phase.poll = undefined
    this.channel.subscribers.delete(this)
    for (const {entry, remaining} of this.#armed?.takeAll() ?? []) this.#host.handBack(entry, remaining)
    this.#outbox?.whenEmpty(() => this.end('server', ending))
  }

  #unstall(): void {
    const phase = this.#phase
    if (phase.name !== 'open' || !phase.stall) return
    if (phase.stall.timer) clearTimeout(phase.stall.timer)
    phase.stall = undefined
    this.#outbox?.resume()
    // Catch up with what was published during the stall, from the log: nothing was queued for it.
    this.#replayPlan(this.channel.log.plan(String(this.#cursor), this.channel.lastSeq), String(this.#cursor))
    if (this.#phase.name === 'open') this.#phase.poll?.resume()
  }

  #release(): void {
    const phase = this.#phase
    if (phase.name !== 'connecting' || !phase.hold) return
    if (phase.hold.timer) clearTimeout(phase.hold.timer)
    const {settle} = phase.hold
    this.#phase = {name: 'connecting', hold: undefined}
    settle(true)
  }

  #startHeartbeat(intervalMs: number): void {
    const phase = this.#phase
    if (phase.name !== 'open') return
    if (phase.heartbeat) clearInterval(phase.heartbeat)
    phase.heartbeat = intervalMs > 0 ? setInterval(beat, intervalMs, this) : undefined
  }

  /** Called by the outbox when the client reads too slowly: disconnect it, and say why. */
  overflow(queuedBytes: number): void {
    this.#host.log({
      level: 'warn',
      message:
        `Disconnected ${this.id} on channel '${this.channel.name}': slow consumer ` +
        `(${queuedBytes} bytes queued, limit ${this.#host.maxQueuedBytes})`,
      connection: this.id,
      channel: this.channel.name,
      reason: 'slow-consumer',
    })
    this.destroy('server', 'slow-consumer')
  }

  static readonly #onResponseClose = function (this: OwnedResponse): void {
    const stream = this[STREAM]
    if (!stream) return
    stream.#outbox?.close()
    if (stream.#phase.name !== 'closed') stream.#finish('client', 'client-closed')
  }

  /** The one place a stream becomes closed: releases the phase's resources, then tells the host. */
  #finish(closedBy: ClosedBy, reason: CloseReason): void {
    const phase = this.#phase
    if (phase.name === 'closed') return
    if (phase.name === 'connecting' && phase.hold) {
      if (phase.hold.timer) clearTimeout(phase.hold.timer)
      phase.hold.settle(false)
    }
    if (phase.name === 'open') {
      if (phase.heartbeat) clearInterval(phase.heartbeat)
      if (phase.stall?.timer) clearTimeout(phase.stall.timer)
      phase.poll?.dispose()
      this.channel.subscribers.delete(this)
    }
    this.#phase = {name: 'closed'}
    this.#armed = undefined
    this.#closedAt = Date.now()
    this.#closedBy = closedBy
    this.#closeReason = reason
    this.#host.stats.disconnected(reason)
    this.#host.closed(this)
  }
}
