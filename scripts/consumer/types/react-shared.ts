import {createElement, type ReactElement} from 'react'
import {renderToString} from 'react-dom/server'
import {useSharedEventSource} from '@holdfast/react/shared'

function Notifications(): ReactElement {
  const {data} = useSharedEventSource('/api/notifications', {shareKey: 'user-1'})
  return createElement('output', null, data)
}
export const html: string = renderToString(createElement(Notifications))
// @ts-expect-error shareKey is a string
useSharedEventSource('/api/notifications', {shareKey: 1})
