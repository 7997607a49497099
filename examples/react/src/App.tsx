import {useEventSource} from '@holdfast/react'
import {useState} from 'react'

interface Entry {
  id: string
  data: string
}

/** The latest price: the stream's latest message. */
function Price({stream}: {stream: string}) {
  const {data} = useEventSource(stream)
  return <output data-testid="price">{data ?? '…'}</output>
}

/** The latest notice: a named event (`event: notice`) on the same stream, and so on the same connection. */
function Notice({stream}: {stream: string}) {
  const {data} = useEventSource(stream, {types: ['notice']})
  return data ? <p data-testid="notice">{data}</p> : null
}

/** Where the connection stands, and how many times it came back. */
function Status({stream}: {stream: string}) {
  const [reconnects, setReconnects] = useState(0)
  const {status, error, reconnecting} = useEventSource(stream, {onReconnecting: () => setReconnects((n) => n + 1)})
  return (
    <p>
      <span data-testid="status">{status}</span>
      {reconnecting && ` · attempt ${reconnecting.attempt} in ${reconnecting.delay} ms`}
      {error && (
        <>
          {' '}
          · <span data-testid="error">{error.code}</span>
        </>
      )}{' '}
      · reconnects: <span data-testid="reconnects">{reconnects}</span>
    </p>
  )
}

/** Every message, in order, with its id: a reducer sees each one, however React batches renders. */
function History({stream}: {stream: string}) {
  const {data: entries} = useEventSource(stream, {
    reducer: (list: Entry[], message) => [...list, {id: message.lastEventId, data: message.data}].slice(-200),
    initial: [],
  })
  return (
    <ol data-testid="history">
      {entries.map((entry) => (
        <li key={entry.id} data-id={entry.id}>
          {entry.data}
        </li>
      ))}
    </ol>
  )
}

/** Four components, one stream, one connection. */
export function App({stream}: {stream: string}) {
  return (
    <main>
      <h1>Live prices</h1>
      <Price stream={stream} />
      <Notice stream={stream} />
      <Status stream={stream} />
      <History stream={stream} />
    </main>
  )
}
