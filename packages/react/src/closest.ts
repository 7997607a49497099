/**
 * The name among `names` closest to a misspelt `name`, for a "did you mean" hint: letter case aside, at most one
 * edit (Levenshtein) per three characters and never more than two, so that unrelated short names suggest nothing.
 * (The client's warning about its own options uses the same rule.)
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
