/** The last `size` distinct ids a tab delivered, oldest forgotten first. */
export class RecentIds {
  readonly #ids = new Set<string>()
  readonly #ring: string[] = []
  #next = 0

  constructor(readonly size: number) {}

  has(id: string): boolean {
    return this.#ids.has(id)
  }

  add(id: string): void {
    if (this.#ids.has(id)) return
    const oldest = this.#ring[this.#next]
    if (oldest !== undefined) this.#ids.delete(oldest)
    this.#ring[this.#next] = id
    this.#ids.add(id)
    this.#next = (this.#next + 1) % this.size
  }
}
