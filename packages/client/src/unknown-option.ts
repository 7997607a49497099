/**
 * [ext] The warning about an unknown option, with the closest valid name. Loaded only when an app passes one (see
 * `normalizeOptions`), so that apps whose options are right do not pay for it.
 */
import {defaultOptions, rules} from './options'

/** The unknown names already warned about: once each, however many sources pass them. */
const warned = new Set<string>()

/** Warns once about an unknown option `key`, naming the closest valid one, if any is close. */
export default function warnUnknown(key: string): void {
  if (warned.has(key)) return
  warned.add(key)
  const near = closest(key, [...Object.keys(defaultOptions), ...Object.keys(rules)])
  // eslint-disable-next-line no-console -- a warning for the developer, once per name
  console.warn(`Holdfast: unknown EventSource option \`${key}\` ignored${near ? `; did you mean \`${near}\`?` : ''}`)
}

/**
 * The name among `names` closest to a misspelt `name`, for a "did you mean" hint: letter case aside, at most one
 * edit (Levenshtein) per three characters and never more than two, so that unrelated short names suggest nothing.
 */
export function closest(name: string, names: readonly string[]): string | undefined {
  const a = name.toLowerCase()
  let best: string | undefined
  let limit = Math.min(2, Math.max(1, (a.length / 3) | 0))
  for (const candidate of names) {
    const b = candidate.toLowerCase()
    let row = [...Array(b.length + 1).keys()]
    for (let i = 0; i < a.length; i++) {
      const next = [i + 1]
      for (let j = 0; j < b.length; j++) next.push(Math.min(next[j]! + 1, row[j + 1]! + 1, row[j]! + +(a[i] !== b[j])))
      row = next
    }
    if (row[b.length]! <= limit) {
      limit = row[b.length]! - 1
      best = candidate
    }
  }
  return best
}
