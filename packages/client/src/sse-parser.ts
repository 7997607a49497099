import {createParser} from 'eventsource-parser'

export type {EventSourceMessage, ParseError} from 'eventsource-parser'

/**
 * eventsource-parser's `createParser`, through the module the connection imports first, so that it runs before any
 * other of the connection's chunk: the parser's chunk is then the first that chunk imports, and the first that
 * bundlers place, where it compresses best (see rollup.config.mjs). Minifiers inline the call.
 */
export const createEventParser: typeof createParser = (callbacks) => createParser(callbacks)
