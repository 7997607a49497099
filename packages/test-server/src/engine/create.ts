import type {NormalizedOptions} from '../options.js'
import type {Engine} from './engine.js'
import {MemoryEngine} from './memory.js'

/**
 * The engine the options ask for. The Redis engine and its client library are imported only here and only with the
 * `redis` option: a server without it loads nothing Redis-related.
 */
export async function createEngine(options: NormalizedOptions): Promise<Engine> {
  if (options.redis === undefined) return new MemoryEngine()
  const {RedisEngine} = await import('./redis.js')
  return RedisEngine.connect(options.redis, options.replayLimit, options.logger)
}
