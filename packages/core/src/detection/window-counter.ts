/**
 * Per-key fixed windows with a bounded number of keys: the state of every threshold detector.
 * A window opens at a key's first hit and closes `windowMs` later; closed windows are handed to
 * `onClose` (from the next hit of that key or from `sweep`), so a detector can report what it held
 * back. Memory is bounded by `maxKeys`: the oldest window is closed early to make room, never lost.
 */
export interface WindowEntry<T> {
  start: number
  last: number
  count: number
  /** Events emitted for this window so far (individual reports, threshold crossings). */
  emitted: number
  /** Occurrences counted but not reported individually (reported as one aggregate on close). */
  suppressed: number
  readonly data: T
}

export class WindowCounter<T> {
  readonly #windowMs: number
  readonly #maxKeys: number
  readonly #create: () => T
  readonly #onClose: (key: string, entry: WindowEntry<T>) => void
  readonly #entries = new Map<string, WindowEntry<T>>()

  constructor(options: {
    windowMs: number
    maxKeys?: number
    create: () => T
    onClose: (key: string, entry: WindowEntry<T>) => void
  }) {
    this.#windowMs = options.windowMs
    this.#maxKeys = options.maxKeys ?? 10_000
    this.#create = options.create
    this.#onClose = options.onClose
  }

  get size(): number {
    return this.#entries.size
  }

  /** Counts one occurrence for `key` at `now` and returns its (possibly new) window. */
  hit(key: string, now: number): WindowEntry<T> {
    let entry = this.#entries.get(key)
    if (entry !== undefined && now - entry.start >= this.#windowMs) {
      this.#entries.delete(key)
      this.#close(key, entry)
      entry = undefined
    }
    if (entry === undefined) {
      if (this.#entries.size >= this.#maxKeys) this.#evictOldest()
      entry = { start: now, last: now, count: 0, emitted: 0, suppressed: 0, data: this.#create() }
      this.#entries.set(key, entry)
    }
    entry.count++
    entry.last = now
    return entry
  }

  /** Closes every window older than the window length. Map order is insertion order = start order. */
  sweep(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (now - entry.start < this.#windowMs) break
      this.#entries.delete(key)
      this.#close(key, entry)
    }
  }

  #evictOldest(): void {
    const first = this.#entries.entries().next()
    if (first.done) return
    const [key, entry] = first.value
    this.#entries.delete(key)
    this.#close(key, entry)
  }

  #close(key: string, entry: WindowEntry<T>): void {
    try {
      this.#onClose(key, entry)
    } catch {
      // A reporting failure must not break counting; the event API itself never throws.
    }
  }
}
