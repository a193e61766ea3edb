/**
 * A map that remembers at most `size` entries, for answers that are costly to compute and come back
 * request after request (a proxy's trust, a browser's User-Agent, a JSON key). When full it starts
 * over: a flood of distinct keys costs the work each would have cost anyway, never memory.
 */
export class BoundedMemo<K, V> {
  readonly #map = new Map<K, V>()
  readonly #size: number

  constructor(size: number) {
    this.#size = size
  }

  get(key: K): V | undefined {
    return this.#map.get(key)
  }

  set(key: K, value: V): void {
    if (this.#map.size >= this.#size) this.#map.clear()
    this.#map.set(key, value)
  }
}
