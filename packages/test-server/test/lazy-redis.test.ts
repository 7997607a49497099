import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'
import {afterEach, describe, expect, it} from 'vitest'
import {useRedis} from './redis.js'

const redis = useRedis()
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url))

/** A module resolve hook that writes every URL the process loads to the file it is given. */
const HOOKS = `
import {appendFileSync} from 'node:fs'
let log
export function initialize(data) { log = data.log }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  appendFileSync(log, result.url + '\\n')
  return result
}`

let dir: string | undefined
afterEach(async () => {
  if (dir) await rm(dir, {recursive: true, force: true})
  dir = undefined
})

/** Runs a server (built package) in a fresh Node process with `options`; returns every module URL it loaded. */
async function modulesLoaded(options: object): Promise<string[]> {
  dir = await mkdtemp(join(tmpdir(), 'holdfast-lazy-'))
  const log = join(dir, 'modules.txt')
  const script = `
    import {register} from 'node:module'
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}), {data: {log: ${JSON.stringify(log)}}})
    const {createTestServer} = await import(${JSON.stringify(dist)})
    const server = await createTestServer(${JSON.stringify({...options, logger: false})})
    await server.publish('news', 'hello')
    await server.close()
  `
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script])
  return (await readFile(log, 'utf8')).trim().split('\n')
}

describe('loading', () => {
  it('loads nothing Redis-related without the redis option, and the Redis client only with it', async () => {
    expect(existsSync(dist), 'dist/index.js is missing: run the build first').toBe(true)
    const alone = await modulesLoaded({})
    expect(alone.some((url) => url.endsWith('/dist/engine/memory.js'))).toBe(true)
    expect(alone.filter((url) => /redis/i.test(url))).toEqual([])

    const fleet = await modulesLoaded({redis: redis.server.url})
    expect(fleet.some((url) => url.endsWith('/dist/engine/redis.js'))).toBe(true)
    expect(fleet.some((url) => url.includes('/@redis/client/'))).toBe(true)
  })
})
