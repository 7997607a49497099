import {setupServer} from 'msw/node'

/** The app's mock server: each test adds the handlers it needs with `server.use(...)`. */
export const server = setupServer()
