import {StrictMode} from 'react'
import {createRoot} from 'react-dom/client'
import {App} from './App'

// StrictMode mounts, unmounts and remounts every component in development: the hook keeps one connection through it.
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App stream={new URLSearchParams(location.search).get('stream') ?? '/sse/prices'} />
  </StrictMode>,
)
