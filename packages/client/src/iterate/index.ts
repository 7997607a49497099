/**
 * `@holdfast/client/iterate`: a source's messages as an async iterable, with backpressure. A separate entry, so that
 * apps that read with listeners or `subscribe` do not pay for it.
 */
export {events} from './iterator'
export type {EventIterator, EventIteratorOptions} from './types'
