/**
 * The records a log handed out and has not seen acknowledged, in file order: added at the end,
 * removed from anywhere (acknowledgements come in any order), the first one asked for at each
 * acknowledgement (an in-order one only moves the cursor) and at each commit (the cursor).
 *
 * An array with a moving start rather than a Map: each entry knows its slot, so adding and removing
 * allocate nothing — while a backlog drains, thousands of records a second go through here, and a
 * Map's iterators and rehashes were garbage that pushed the leased records out of the young
 * generation (docs/sentinel.md#throughput).
 */

/** What the queue holds: `slot` is its own bookkeeping, -1 when not queued. */
export interface Slotted {
  slot: number
}

export class FileOrder<T extends Slotted> {
  /** Entries from slot `#base` on; a removed one leaves `undefined` until the start passes it. */
  #items: (T | undefined)[] = []
  #base = 0
  #head = 0
  #size = 0

  get size(): number {
    return this.#size
  }

  push(item: T): void {
    item.slot = this.#base + this.#items.length
    this.#items.push(item)
    this.#size++
  }

  /** The oldest entry still queued. */
  first(): T | undefined {
    return this.#items[this.#head]
  }

  /** Takes `item` out (it must be queued). */
  delete(item: T): void {
    const items = this.#items
    items[item.slot - this.#base] = undefined
    item.slot = -1
    this.#size--
    while (this.#head < items.length && items[this.#head] === undefined) this.#head++
    if (this.#size === 0) {
      this.#base += items.length
      this.#items = []
      this.#head = 0
    } else if (items.length > 1024 && this.#size * 2 < items.length) {
      this.#pack()
    }
  }

  /**
   * Drops the holes (an old record still out — retried — while thousands after it were
   * acknowledged must not keep a slot for each of them) and gives the entries their new slots.
   */
  #pack(): void {
    const packed = this.entries()
    this.#base += this.#items.length
    for (let i = 0; i < packed.length; i++) packed[i]!.slot = this.#base + i
    this.#items = packed
    this.#head = 0
  }

  /** The entries, oldest first: a copy, so the caller may delete while it goes through them. */
  entries(): T[] {
    const out: T[] = []
    for (let i = this.#head; i < this.#items.length; i++) {
      const item = this.#items[i]
      if (item !== undefined) out.push(item)
    }
    return out
  }
}
