/** A bounded window of the most recently delivered ids. */
export interface IdWindow {
  /** True when `id` is already in the window; otherwise records it (evicting the oldest when full). */
  isDuplicate(id: string): boolean
}

export function createIdWindow(size: number): IdWindow {
  const seen = new Set<string>()
  const ring: string[] = []
  let next = 0
  return {
    isDuplicate(id) {
      if (seen.has(id)) return true
      if (seen.size === size) seen.delete(ring[next] as string)
      seen.add(id)
      ring[next] = id
      next = (next + 1) % size
      return false
    },
  }
}
