import {describe, expect, it} from 'vitest'
import {DEFAULT_PORT, parseDemoArgs} from '../lib/args.mjs'
import {buildReason} from '../lib/build.mjs'

describe('parseDemoArgs', () => {
  it('defaults to the documented port, which may fall back', () => {
    expect(parseDemoArgs([], {})).toEqual({port: DEFAULT_PORT, portGiven: false, build: true, help: false})
  })

  it.each([
    [['--port', '5000'], {}, 5000],
    [['--port=0'], {}, 0],
    [['--', '--port', '5001'], {}, 5001],
    [[], {PORT: '5002'}, 5002],
    [['--port', '5003'], {PORT: '5002'}, 5003],
  ])('takes the port from %j and %j: %d, which must then be free', (argv, env, port) => {
    expect(parseDemoArgs(argv, env)).toMatchObject({port, portGiven: true})
  })

  it('ignores an empty PORT', () => {
    expect(parseDemoArgs([], {PORT: ''})).toMatchObject({port: DEFAULT_PORT, portGiven: false})
  })

  it('reads --no-build and --help', () => {
    expect(parseDemoArgs(['--no-build', '-h'], {})).toMatchObject({build: false, help: true})
  })

  it.each([
    [['--port', 'abc'], {}, '--port must be a port number from 0 to 65535, got "abc"'],
    [['--port', '70000'], {}, '--port must be a port number from 0 to 65535, got "70000"'],
    [[], {PORT: '-1'}, 'PORT must be a port number from 0 to 65535, got "-1"'],
    [['--prot', '1'], {}, "Unknown option '--prot'"],
  ])('rejects %j %j with a message', (argv, env, message) => {
    expect(() => parseDemoArgs(argv, env)).toThrow(message)
  })
})

describe('buildReason', () => {
  it.each([
    [{newestInput: 100, outputs: [200, 300]}, undefined],
    [{newestInput: 200, outputs: [200, 300]}, undefined],
    [{newestInput: 250, outputs: [200, 300]}, 'stale'],
    [{newestInput: 100, outputs: [200, undefined]}, 'missing'],
    [{newestInput: 100, outputs: []}, 'missing'],
  ])('%j → %s', (times, reason) => {
    expect(buildReason(times)).toBe(reason)
  })
})
