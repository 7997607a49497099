/**
 * The script-tag build (`dist/holdfast.min.js`): every export of the main, `shared`, `iterate`, `polling` and `parse`
 * entries on one global, `Holdfast`, for pages without a bundler. It installs nothing: `window.EventSource =
 * Holdfast.EventSource` does what `@holdfast/client/polyfill` does.
 */
export * from './index'
export {events} from './iterate/index'
export {json, parseWith} from './parse/index'
export {autoTransport, pollTransport, TransportChangeEvent} from './polling/index'
export {SharedEventSource} from './shared/index'
