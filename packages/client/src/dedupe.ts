/**
 * A bounded window of the most recently delivered ids: a function that says whether `id` is already in it, and
 * otherwise records it (evicting the oldest when full).
 */
export function createIdWindow(size: number): (id: string) => boolean {
  // A Set iterates in insertion order: its first value is the oldest id.
  const seen = new Set<string>()
  return (id) => {
    if (seen.has(id)) return true
    if (seen.size === size) seen.delete(seen.values().next().value!)
    seen.add(id)
    return false
  }
}
