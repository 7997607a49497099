import {TestServerError} from './errors.js'

const CHANNEL = /^[A-Za-z0-9._~:@-]{1,200}$/

/** True for a channel name the server accepts: 1-200 URL-safe characters `[A-Za-z0-9._~:@-]`. */
export function validChannelName(name: unknown): name is string {
  return typeof name === 'string' && CHANNEL.test(name)
}

/** Returns `name` when it is a valid channel name, or throws `invalid-channel` naming it. */
export function checkChannelName(name: unknown): string {
  if (validChannelName(name)) return name
  throw new TestServerError(
    'invalid-channel',
    `Invalid channel name ${JSON.stringify(name)}: use 1-200 characters from A-Z a-z 0-9 . _ ~ : @ -`,
  )
}
