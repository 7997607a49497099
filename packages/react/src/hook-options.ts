import type {HoldfastEventSourceInit} from '@holdfast/client'
import {closest} from './closest'
import type {ViewOptions} from './view'

/**
 * The hook's own options, which the source never gets: every option of the hook that is not the source's, and
 * `parse` and `signal`, which the hook takes per component. (Typed: a new option of the hook must be listed here.)
 */
const HOOK_OPTIONS: Record<Exclude<keyof ViewOptions, keyof HoldfastEventSourceInit> | 'parse' | 'signal', true> = {
  enabled: true,
  immediate: true,
  initialData: true,
  types: true,
  parse: true,
  key: true,
  create: true,
  onMessage: true,
  onOpen: true,
  onError: true,
  onReconnecting: true,
  reducer: true,
  initial: true,
  signal: true,
}
const hookNames = Object.keys(HOOK_OPTIONS)

/** What was decided about each other name: the hook option it misspells, or `''` (the source's to judge). */
const verdicts = new Map<string, string>()

/**
 * Holdfast's options out of the hook's: everything the source gets. [ext] A name close to one of the hook's own
 * (`enabeld`, `onMesage`) is a misspelling: left out, with one warning per name that names the option meant. Any
 * other name goes to the source, which warns of what it does not know (with Holdfast's `EventSource`).
 */
export function sourceOptions(options: ViewOptions): HoldfastEventSourceInit {
  const init: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(options)) {
    if (name in HOOK_OPTIONS) continue
    let meant = verdicts.get(name)
    if (meant === undefined) {
      verdicts.set(name, (meant = closest(name, hookNames) ?? ''))
      if (meant) console.warn(`Holdfast: unknown useEventSource option \`${name}\` ignored; did you mean \`${meant}\`?`)
    }
    if (!meant) init[name] = value
  }
  return init
}
