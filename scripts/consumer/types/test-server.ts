import {createTestServer, TestServerError, type TestServer} from '@holdfast/test-server'

export async function serve(): Promise<TestServer> {
  const server = await createTestServer({heartbeatMs: 1000, logger: false})
  server.scope('news').publish({event: 'price', data: '42'})
  return server
}
export const isServerError = (error: unknown): boolean => error instanceof TestServerError
// @ts-expect-error heartbeatMs is a number of milliseconds
createTestServer({heartbeatMs: '1s'})
