import {afterAll, beforeAll} from 'vitest'
import {startRedis, type RedisServer} from '../../../scripts/redis-server.mjs'
import type {TestServerOptions} from '../src/index.js'

let fleets = 0

/**
 * One real redis-server for the test file (Debian's, on a free loopback port, no persistence), stopped after it.
 * Each fleet gets its own key prefix, so tests never share channels through it.
 */
export function useRedis(): {readonly server: RedisServer; fleet(options?: TestServerOptions): TestServerOptions} {
  let server: RedisServer | undefined
  beforeAll(async () => {
    server = await startRedis()
  })
  afterAll(async () => {
    await server?.stop()
  })
  const started = (): RedisServer => {
    if (!server) throw new Error('redis-server is not started yet (use it inside a test)')
    return server
  }
  return {
    get server() {
      return started()
    },
    /** Options of one server of a new fleet (call once per fleet and give every server of it the result). */
    fleet(options = {}) {
      return {...options, redis: {url: started().url, keyPrefix: `t${process.pid}-${++fleets}:`}}
    },
  }
}
