// A dedicated worker that runs one Holdfast source and posts what it fires back to the page (harness.js).
import {EventSource} from '/client/index.js'
import {record} from './record.js'

let source

self.onmessage = ({data}) => {
  if (data.open) {
    const {url, init, types} = data.open
    source = new EventSource(url, init)
    // The page reads readyState from the entries; the scope's name proves where the client runs.
    self.postMessage({scope: self.constructor.name})
    record(source, types, (entry) => self.postMessage({entry, readyState: source.readyState}))
  }
  if (data.close) {
    source.close()
    self.postMessage({readyState: source.readyState})
  }
}
