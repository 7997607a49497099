// "Did you mean …?" for a misspelt name: a fault's field, a control request's, an option of `createTestServer`.

/**
 * The closest of `candidates` to a misspelt `field`, for a "did you mean" hint: at most one edit away per three
 * characters (and never more than two), so that short unrelated names suggest nothing.
 */
export function closest(field: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(2, Math.max(1, Math.floor(field.length / 3)))
  let best: {name: string; distance: number} | undefined
  for (const name of candidates) {
    const distance = editDistance(field.toLowerCase(), name.toLowerCase())
    if (distance <= limit && (best === undefined || distance < best.distance)) best = {name, distance}
  }
  return best?.name
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(row[j - 1]! + 1, previous[j]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    previous = row
  }
  return previous[b.length]!
}
