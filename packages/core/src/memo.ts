/**
 * A map that remembers at most `size` entries, for answers that are costly to compute and come back
 * request after request (a proxy's trust, a browser's User-Agent, a JSON key). When full it starts
 * over: a flood of distinct keys costs the work each would have cost anyway, never memory. With
 * `longestKey`, a string key longer than that is neither remembered nor looked up, so that what a
 * full memory holds stays bounded in bytes too.
 */
export class BoundedMemo<K, V> {
  readonly #map = new Map<K, V>()
  readonly #size: number
  readonly #longestKey: number

  constructor(size: number, longestKey = Number.POSITIVE_INFINITY) {
    this.#size = size
    this.#longestKey = longestKey
  }

  get(key: K): V | undefined {
    if (typeof key === 'string' && key.length > this.#longestKey) return undefined
    return this.#map.get(key)
  }

  set(key: K, value: V): void {
    if (typeof key === 'string' && key.length > this.#longestKey) return
    if (this.#map.size >= this.#size) this.#map.clear()
    this.#map.set(key, value)
  }
}
