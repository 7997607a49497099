import {createReadStream} from 'node:fs'
import {stat} from 'node:fs/promises'
import {extname, join, resolve, sep} from 'node:path'
import type {StaticMount} from '../options.js'
import type {AnyRequest, AnyResponse} from '../protocol.js'

/** Content types by extension; anything else is `application/octet-stream`. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
  '.xml': 'application/xml',
}

/** The file a path maps to inside `root`, or undefined when it would escape it or is malformed. */
function resolveInside(root: string, relative: string): string | undefined {
  let decoded: string
  try {
    decoded = decodeURIComponent(relative)
  } catch {
    return undefined
  }
  if (decoded.includes('\0')) return undefined
  const file = resolve(join(root, decoded))
  return file === root || file.startsWith(root + sep) ? file : undefined
}

async function fileAt(path: string): Promise<{path: string; size: number; mtime: Date} | undefined> {
  try {
    const info = await stat(path)
    if (info.isFile()) return {path, size: info.size, mtime: info.mtime}
    if (info.isDirectory()) return await fileAt(join(path, 'index.html'))
  } catch {
    // not there
  }
  return undefined
}

/** The mount serving `pathname`, if any (mounts are sorted longest prefix first). */
export function findMount(mounts: readonly StaticMount[], pathname: string): StaticMount | undefined {
  return mounts.find(({prefix}) => prefix === '/' || pathname === prefix || pathname.startsWith(`${prefix}/`))
}

/**
 * Serves a file under a static mount with its content type, for GET and HEAD. Returns false when there is no such
 * file (the caller answers 404).
 */
export async function serveStatic(
  req: AnyRequest,
  res: AnyResponse,
  mount: StaticMount,
  pathname: string,
): Promise<boolean> {
  const relative = mount.prefix === '/' ? pathname : pathname.slice(mount.prefix.length)
  const path = resolveInside(mount.root, relative === '' ? '/' : relative)
  const file = path === undefined ? undefined : await fileAt(path)
  if (!file) return false
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(file.size),
    'Last-Modified': file.mtime.toUTCString(),
    'Cache-Control': 'no-cache',
  })
  if (req.method === 'HEAD') {
    res.end()
    return true
  }
  const stream = createReadStream(file.path)
  stream.on('error', () => res.destroy())
  stream.pipe(res)
  return true
}
