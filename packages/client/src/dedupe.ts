/** A bounded window of the most recently delivered ids. */
export interface IdWindow {
  /** True when `id` is already in the window; otherwise records it (evicting the oldest when full). */
  isDuplicate(id: string): boolean
}

export function createIdWindow(size: number): IdWindow {
  // A Set iterates in insertion order: its first value is the oldest id.
  const seen = new Set<string>()
  return {
    isDuplicate(id) {
      if (seen.has(id)) return true
      if (seen.size === size) seen.delete(seen.values().next().value!)
      seen.add(id)
      return false
    },
  }
}
