/**
 * Side-effect entry: `import '@holdfast/client/polyfill'` installs Holdfast's EventSource as
 * `globalThis.EventSource`, for apps and third-party code that use the global. The platform's own class, where
 * there is one, stays reachable as `globalThis.NativeEventSource`.
 */
import {EventSource} from './event-source'

const scope = globalThis as {EventSource?: unknown; NativeEventSource?: unknown}
if (scope.EventSource !== EventSource) {
  if (scope.EventSource !== undefined && scope.NativeEventSource === undefined)
    scope.NativeEventSource = scope.EventSource
  scope.EventSource = EventSource
}

export {EventSource}
