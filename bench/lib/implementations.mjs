// Every implementation the bench runs: an adapter in ../adapters (bundled with its library for the page) and the
// module whose min+gzip size is reported. `skip` lists the workloads an implementation cannot run.

export const implementations = [
  {
    id: 'raw-fetch',
    label: 'raw fetch + reader (the limit)',
    kind: 'baseline',
    size: null,
    skip: ['reconnect'],
  },
  {
    id: 'holdfast',
    label: 'Holdfast `EventSource` (`onmessage`)',
    kind: 'holdfast',
    size: {from: '@holdfast/client', names: '*'},
  },
  {
    id: 'holdfast-iterate',
    label: 'Holdfast `for await (… of source.events())`',
    kind: 'holdfast',
    size: {from: '@holdfast/client', names: '*'},
  },
  {
    id: 'native',
    label: 'native `EventSource`',
    kind: 'eventsource',
    size: 0,
    // The page cannot cut a native EventSource's stream (it is read inside the browser), and chunks that a server
    // writes 7 bytes at a time are merged again by the network stack before the page sees them.
    skip: ['fragmented'],
  },
  {
    id: 'eventsource',
    label: '`eventsource` 5.1.5',
    kind: 'eventsource',
    size: {from: 'eventsource', names: '*'},
  },
  {
    id: 'event-source-polyfill',
    label: '`event-source-polyfill` 1.0.31',
    kind: 'eventsource',
    size: {from: 'event-source-polyfill', names: 'default'},
  },
  {
    id: 'fetch-event-source',
    label: '`@microsoft/fetch-event-source` 2.0.1',
    kind: 'library',
    size: {from: '@microsoft/fetch-event-source', names: '*'},
  },
  {
    id: 'eventsource-client',
    label: '`eventsource-client` 1.2.0',
    kind: 'library',
    size: {from: 'eventsource-client', names: '*'},
  },
  {
    id: 'parser-stream',
    label: 'fetch + `EventSourceParserStream` (naive)',
    kind: 'baseline',
    size: {from: 'eventsource-parser/stream', names: '*'},
    skip: ['reconnect'],
  },
]
