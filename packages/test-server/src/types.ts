// The public types of @holdfast/test-server, one file per concern.
export type * from './types/faults.js'
export type * from './types/connections.js'
export type * from './types/server.js'
