// Every implementation the bench runs: an adapter in ../adapters (bundled with its library for the page) and what
// its min+gzip size is measured on (`null`: nothing to load; `0`: built into the browser). `skip` lists the
// workloads an implementation cannot run.

/** A published library at the version the bench installs, measured whole (every export kept). */
const library = (id, name, version, names = '*') => ({id, label: `\`${name}\` ${version}`, size: {from: name, names}})

export const implementations = [
  {id: 'raw-fetch', label: 'raw fetch + reader (the limit)', size: null, skip: ['reconnect']},
  {id: 'holdfast', label: 'Holdfast `EventSource` (`onmessage`)', size: {from: '@holdfast/client', names: '*'}},
  {
    id: 'holdfast-subscribe',
    label: 'Holdfast `source.subscribe(callback)`',
    size: {from: '@holdfast/client', names: '*'},
  },
  {
    id: 'holdfast-iterate',
    label: 'Holdfast `for await (… of events(source))`',
    size: {from: ['@holdfast/client', '@holdfast/client/iterate'], names: '*'},
  },
  {
    id: 'native',
    label: 'native `EventSource`',
    size: 0,
    // The page cannot cut a native EventSource's stream (it is read inside the browser), and chunks that a server
    // writes 7 bytes at a time are merged again by the network stack before the page sees them.
    skip: ['fragmented'],
  },
  library('eventsource', 'eventsource', '5.1.5'),
  // A CommonJS (UMD) module: measured whole through its default export.
  library('event-source-polyfill', 'event-source-polyfill', '1.0.31', 'default'),
  library('fetch-event-source', '@microsoft/fetch-event-source', '2.0.1'),
  library('eventsource-client', 'eventsource-client', '1.2.0'),
  {
    id: 'parser-stream',
    label: 'fetch + `EventSourceParserStream` (naive)',
    size: {from: 'eventsource-parser/stream', names: '*'},
    skip: ['reconnect'],
  },
]
