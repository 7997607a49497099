import type {AnyRequest} from '../protocol.js'

/**
 * A request header by lower-case name, read from `rawHeaders`. Node builds `req.headers` lazily, on first access;
 * not touching it keeps that object out of memory for every stream (about 300 bytes each, measured in bench/).
 */
export function header(req: AnyRequest, name: string): string | undefined {
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i] as string
    if (key.length === name.length && key.toLowerCase() === name) return raw[i + 1]
  }
  return undefined
}
