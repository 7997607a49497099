/** A redis-server process started by a test on loopback, with no persistence. */
export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  readonly url: string
  readonly port: number
  /** False once killed or stopped. */
  readonly running: boolean
  /** Kills the process outright (SIGKILL), as a crash would; its data is gone (no persistence). */
  kill(): Promise<void>
  /** Starts a new, empty redis-server on the same port after `kill()`. */
  restart(): Promise<void>
  /** Stops the process (SIGTERM) and removes its directory. */
  stop(): Promise<void>
}

/** Starts Debian's redis-server on a free loopback port (or `port`) with its own temporary directory. */
export declare function startRedis(options?: {port?: number}): Promise<RedisServer>
