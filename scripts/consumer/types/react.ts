import {createElement, type ReactElement} from 'react'
import {renderToString} from 'react-dom/server'
import {useEventSource, type StreamStatus} from '@holdfast/react'

function Price(): ReactElement {
  const {data, status}: {data: number | undefined; status: StreamStatus} = useEventSource('/api/price', {
    parse: (text) => Number(text),
  })
  return createElement('output', {title: status}, data)
}
export const html: string = renderToString(createElement(Price))
// @ts-expect-error the URL is a string (or null)
useEventSource(42)
