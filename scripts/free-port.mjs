// A loopback port nobody listens on right now, for servers that cannot pick one themselves (nginx, redis-server)
// and for tests that need a port where nothing answers. Another process may still take it before it is used.
import {once} from 'node:events'
import {createServer} from 'node:net'

export async function freePort() {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const {port} = server.address()
  server.close()
  await once(server, 'close')
  return port
}
