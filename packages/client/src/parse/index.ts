/**
 * `@holdfast/client/parse`: the parse steps of typed streams (the `parse` option). A separate entry, so that apps
 * that parse nothing do not pay for it.
 */
export {json, parseWith} from './parse-step'
