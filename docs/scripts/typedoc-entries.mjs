// A TypeDoc plugin for the API reference. Each entry module of a package is named as an app imports it
// (`@holdfast/client/shared`), not by its file (`shared`), and the main entry (`index`) takes the package's own name,
// with a line that says what the entry holds; the sources need no `@module` tags for it. The router keeps the pages'
// paths short all the same: api/client/shared/…, not api/@holdfast/client/@holdfast/client/shared/….
import {Comment, Converter, ReflectionKind} from 'typedoc'
import {MemberRouter} from 'typedoc-plugin-markdown'

const SCOPE = '@holdfast/'

/** What each entry holds, shown on its page of the reference. */
const ENTRIES = {
  '@holdfast/client': 'The drop-in `EventSource`, its events, `HoldfastError` and `defaultOptions`.',
  '@holdfast/client/shared': '`SharedEventSource`: one stream for every tab of an origin.',
  '@holdfast/client/iterate': '`events(source)`: a source as an async iterable, with backpressure.',
  '@holdfast/client/polling': '`autoTransport()` and `pollTransport()`: long polls behind proxies that buffer.',
  '@holdfast/client/parse': '`json` and `parseWith(fn)`: the parse steps of typed streams (the `parse` option).',
  '@holdfast/client/polyfill':
    "A side-effect entry: `import '@holdfast/client/polyfill'` installs `EventSource` as `globalThis.EventSource` " +
    "(the platform's class stays reachable as `globalThis.NativeEventSource`) and adds its options and extensions to " +
    'the global types.',
  '@holdfast/react': '`useEventSource`: one shared connection per stream between components.',
  '@holdfast/react/shared': '`useSharedEventSource`: the hook on a `SharedEventSource`, one connection across tabs.',
  '@holdfast/test-server': '`createTestServer`: an SSE server with heartbeats, replay and injectable faults.',
  '@holdfast/test-server/playwright': 'The Playwright fixtures (`test`, `sse`, `sseServer`) and `sseWebServer()`.',
}

/** Paths from the entry names: `client` for a package, `shared` for an entry, `main` for the main entry. */
export class EntryRouter extends MemberRouter {
  getReflectionAlias(reflection) {
    if (reflection.kind === ReflectionKind.Module && reflection.name.startsWith(SCOPE)) {
      const parent = reflection.parent?.kind === ReflectionKind.Module ? reflection.parent.name : undefined
      if (parent === reflection.name) return 'main'
      if (parent && reflection.name.startsWith(`${parent}/`)) return reflection.name.slice(parent.length + 1)
      return reflection.name.slice(SCOPE.length)
    }
    return super.getReflectionAlias(reflection)
  }
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project
    for (const module of project.getChildrenByKind(ReflectionKind.Module)) {
      module.name = module.name === 'index' ? project.name : `${project.name}/${module.name}`
      const summary = ENTRIES[module.name]
      if (!summary) throw new Error(`typedoc-entries.mjs: no description of the entry ${module.name}`)
      module.comment ??= new Comment([{kind: 'text', text: summary}])
    }
  })
  app.renderer.defineRouter('holdfast-entries', EntryRouter)
}
