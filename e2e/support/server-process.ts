import {spawn, type ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {fileURLToPath} from 'node:url'
import type {ConnectionRecord, PublishedEvent} from '@holdfast/test-server'

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))
const CLI = here('../../packages/test-server/bin/holdfast-test-server.js')

/** How to start a server process. */
export interface ServerProcessOptions {
  /** @defaultValue 0: a free port */
  port?: number
  /** Run as one server of a fleet on this Redis (`--redis`). */
  redis?: string
}

/** The command line of every server process: fast heartbeats and retry, the harness and the client bundle served. */
function args({port = 0, redis}: ServerProcessOptions): string[] {
  return [
    ...['--port', String(port), '--heartbeat', '250', '--retry', '50', '--quiet'],
    ...['--static', `/client=${here('../../packages/client/dist')}`, '--static', `/pages=${here('../pages')}`],
    ...(redis === undefined ? [] : ['--redis', redis]),
  ]
}

/**
 * The test server's CLI in a process of its own, so that a test can kill it (SIGKILL: no goodbye to any client)
 * and start it again on the same port. Driven through its HTTP control API.
 */
export class ServerProcess {
  #child: ChildProcess
  readonly #options: ServerProcessOptions
  readonly url: string
  readonly port: number

  private constructor(child: ChildProcess, url: string, options: ServerProcessOptions) {
    this.#child = child
    this.#options = options
    this.url = url
    this.port = Number(new URL(url).port)
  }

  /** Starts the CLI (on a free port unless one is given) and resolves once it listens. */
  static async start(options: ServerProcessOptions = {}): Promise<ServerProcess> {
    const child = spawn(process.execPath, [CLI, ...args(options)], {stdio: ['ignore', 'pipe', 'inherit']})
    let output = ''
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (text: string) => {
        output += text
        const match = /listening on (\S+)/.exec(output)
        if (match) resolve(match[1]!)
      })
      child.once('exit', (code) => reject(new Error(`holdfast-test-server exited with ${code}: ${output}`)))
    })
    return new ServerProcess(child, url, options)
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** Kills the process outright, as a crash or an OOM kill would, and waits until it is gone. */
  async kill(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return
    const exited = once(this.#child, 'exit')
    this.#child.kill('SIGKILL')
    await exited
  }

  /** Stops the process gracefully (SIGTERM: a shutdown event to every stream), and waits until it is gone. */
  async stop(): Promise<void> {
    if (!this.running) return
    const exited = once(this.#child, 'exit')
    this.#child.kill('SIGTERM')
    await exited
  }

  /** A new process on the same port, with the same options. */
  restart(): Promise<ServerProcess> {
    return ServerProcess.start({...this.#options, port: this.port})
  }

  async #control<T>(path: string, body?: unknown): Promise<T> {
    const init = body === undefined ? {} : {method: 'POST', body: JSON.stringify(body)}
    const response = await fetch(`${this.url}/control/${path}`, {
      ...init,
      headers: {'content-type': 'application/json'},
    })
    if (!response.ok) throw new Error(`control ${path}: ${response.status} ${await response.text()}`)
    return (await response.json()) as T
  }

  async publish(channel: string, events: string[]): Promise<PublishedEvent[]> {
    const answer = await this.#control<{events: PublishedEvent[]}>('publish', {
      channel,
      events: events.map((data) => ({data})),
    })
    return answer.events
  }

  async connections(channel: string): Promise<ConnectionRecord[]> {
    return (await this.#control<{connections: ConnectionRecord[]}>(`connections?channel=${channel}`)).connections
  }

  /** The streams open on `channel` now (none when this server never saw the channel). */
  async openStreams(channel: string): Promise<ConnectionRecord[]> {
    const {connections} = await this.#control<{connections: ConnectionRecord[]}>('connections?state=open')
    return connections.filter((connection) => connection.channel === channel)
  }

  /** Injects a fault (`{type, ...}`) on a channel of this server. */
  async inject(channel: string, fault: {type: string} & Record<string, unknown>): Promise<void> {
    await this.#control('faults', {...fault, channel})
  }

  /** The events of the channel's replay log on this server. */
  async events(channel: string): Promise<PublishedEvent[]> {
    return (await this.#control<{events: PublishedEvent[]}>(`channels/${channel}`)).events
  }
}
