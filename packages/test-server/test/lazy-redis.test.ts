import {execFile, type ExecFileException} from 'node:child_process'
import {existsSync} from 'node:fs'
import {cp, mkdir, mkdtemp, readFile, realpath, rm, symlink} from 'node:fs/promises'
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

/**
 * An app's node_modules holding the built package and its dependencies, but not the optional peer `@redis/client`:
 * what `npm install @holdfast/test-server` gives a project that never starts a fleet.
 */
async function appWithoutRedisClient(): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'holdfast-no-redis-'))
  const installed = join(dir, 'node_modules/@holdfast/test-server')
  await mkdir(installed, {recursive: true})
  const packageDir = fileURLToPath(new URL('..', import.meta.url))
  for (const part of ['package.json', 'bin', 'dist'])
    await cp(join(packageDir, part), join(installed, part), {recursive: true})
  for (const dependency of ['prom-client', 'selfsigned'])
    await symlink(await realpath(join(packageDir, 'node_modules', dependency)), join(dir, 'node_modules', dependency))
  return dir
}

/** Runs `node args` in `cwd`: its exit code and output. */
async function run(cwd: string, args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, {cwd}, (error: ExecFileException | null, stdout, stderr) =>
      resolve({code: typeof error?.code === 'number' ? error.code : error ? 1 : 0, stdout, stderr}),
    )
  })
}

describe('without @redis/client installed (an optional peer dependency)', () => {
  it('runs a single server, and refuses the redis option with missing-dependency naming the package', async () => {
    expect(existsSync(dist), 'dist/index.js is missing: run the build first').toBe(true)
    const app = await appWithoutRedisClient()
    const script = `
      import {createTestServer} from '@holdfast/test-server'
      const alone = await createTestServer({logger: false})
      await alone.publish('news', 'hello')
      await alone.close()
      try {
        await createTestServer({redis: ${JSON.stringify(redis.server.url)}, logger: false})
        console.log('started')
      } catch (error) {
        console.log(JSON.stringify({name: error.name, code: error.code, message: error.message}))
      }`
    const result = await run(app, ['--input-type=module', '-e', script])
    expect(result.stderr).toBe('')
    const error = JSON.parse(result.stdout) as {name: string; code: string; message: string}
    expect(error).toMatchObject({name: 'TestServerError', code: 'missing-dependency'})
    expect(error.message).toBe(
      'The `redis` option needs the package @redis/client, which is not installed: add it next to ' +
        '@holdfast/test-server (npm install --save-dev @redis/client)',
    )

    const cli = await run(app, [
      'node_modules/@holdfast/test-server/bin/holdfast-test-server.js',
      '--redis',
      redis.server.url,
    ])
    expect(cli.code).toBe(1)
    expect(cli.stderr).toContain('holdfast-test-server: The `redis` option needs the package @redis/client')
  })
})
