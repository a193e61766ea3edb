/**
 * Buffers for request bodies, lent for one attempt and used again by the next. While a backlog
 * drains, a new ~1 MB body per request was ~1 MB outside the JS heap that stayed allocated until a
 * garbage collection noticed it was dead — tens of MB at a time between two collections, on top of
 * what was live (docs/sentinel.md#throughput). Lent buffers are as many as requests are out at once.
 *
 * A buffer is lent from `take` until `give`: the delivery loop gives it back once the destination's
 * `send` settled, never before, so a request still out (or about to be retried) never shares its
 * body with another. Small bodies (a quiet app's requests) are allocated as before: keeping a full
 * buffer for them would cost more than it saves.
 */
export class BodyBuffers {
  /** Capacity of a pooled buffer: the destination's largest request. */
  readonly #capacity: number
  /** Bodies smaller than this are not pooled. */
  readonly #minBytes: number
  /** Free buffers kept at most. */
  readonly #keep: number
  #free: Buffer[] = []

  constructor(capacity: number, keep: number) {
    this.#capacity = capacity
    this.#minBytes = capacity >> 2
    this.#keep = keep
  }

  /** A buffer for a body of `bytes` (its first `bytes` are the body's); give it back when done. */
  take(bytes: number): Buffer {
    if (bytes < this.#minBytes || bytes > this.#capacity) return Buffer.allocUnsafe(bytes)
    // allocUnsafeSlow: a buffer of its own, never a slice of Node's shared pool.
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(this.#capacity)
  }

  /** Takes back a buffer from `take`; one that was not pooled is left to the garbage collector. */
  give(buf: Buffer): void {
    if (buf.length === this.#capacity && this.#free.length < this.#keep && !this.#free.includes(buf))
      this.#free.push(buf)
  }

  /** Lets the free buffers go (the loop is idle: a quiet app keeps no MB-sized buffers). */
  clear(): void {
    this.#free = []
  }

  /** Free buffers held (for tests). */
  get free(): number {
    return this.#free.length
  }
}
