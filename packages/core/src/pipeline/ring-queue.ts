/**
 * Bounded FIFO on a ring buffer: O(1) push and shift with no array re-indexing (Array#shift is
 * O(n) once V8 leaves the fast path). Capacity is fixed at construction; `push` reports a full queue
 * instead of growing.
 */
export class RingQueue<T> {
  readonly #items: Array<T | undefined>
  #head = 0
  #size = 0

  constructor(readonly capacity: number) {
    this.#items = new Array<T | undefined>(capacity)
  }

  get size(): number {
    return this.#size
  }

  push(item: T): boolean {
    if (this.#size === this.capacity) return false
    this.#items[(this.#head + this.#size) % this.capacity] = item
    this.#size++
    return true
  }

  shift(): T | undefined {
    if (this.#size === 0) return undefined
    const item = this.#items[this.#head]
    this.#items[this.#head] = undefined
    this.#head = (this.#head + 1) % this.capacity
    this.#size--
    return item
  }

  /** Removes and returns up to `max` items from the front. */
  take(max: number): T[] {
    const n = Math.min(max, this.#size)
    const out = new Array<T>(n)
    for (let i = 0; i < n; i++) out[i] = this.shift() as T
    return out
  }
}
