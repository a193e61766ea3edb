/**
 * Where records wait while the disk refuses writes (full, read-only, gone): bounded by bytes, still
 * leasable, so delivery goes on. When full, the record to let go is the oldest of the lowest
 * severity among the waiting ones and the incoming one — the spool's overflow policy, in memory.
 * Leased records are never let go here: they are on their way.
 */
import type { NewRecord, SeverityRank, StoredRecord } from '../delivery/types.js'
import type { Held } from './segment-log.js'

export class MemoryFallback {
  /** Records held (leased included) and their payload bytes. */
  records = 0
  bytes = 0
  /** Waiting records per severity, by id (= arrival order). */
  readonly #waiting: [Held[], Held[], Held[], Held[]] = [[], [], [], []]
  readonly #capacity: number

  constructor(capacityBytes: number) {
    this.#capacity = capacityBytes
  }

  get waiting(): number {
    return this.#waiting.reduce((n, q) => n + q.length, 0)
  }

  /** Keeps `record` as `id`; returns how many records (the incoming one included) were let go. */
  push(record: NewRecord, severity: SeverityRank, id: number): number {
    const bytes = Buffer.byteLength(record.data)
    let dropped = 0
    while (this.bytes + bytes > this.#capacity) {
      const victims = this.#waiting.slice(0, severity + 1).find((q) => q.length > 0)
      if (victims === undefined) return dropped + 1
      this.#forget(victims.shift()!)
      dropped++
    }
    const stored = { id, data: record.data, severity, time: record.time, bytes }
    this.#insert({ record: stored, seq: -1, offset: 0, leased: false })
    this.records++
    this.bytes += bytes
    return dropped
  }

  /** The next waiting record of `rank`, to compare; `take` removes it. */
  head(rank: SeverityRank): StoredRecord | undefined {
    return this.#waiting[rank][0]?.record
  }

  take(rank: SeverityRank): Held {
    const held = this.#waiting[rank].shift()!
    held.leased = true
    return held
  }

  acked(held: Held): void {
    this.#forget(held)
  }

  released(held: Held): void {
    held.leased = false
    this.#insert(held)
  }

  /** Removes the waiting records older than `cutoff`; returns how many. */
  expire(cutoff: number): number {
    let expired = 0
    for (const queue of this.#waiting) {
      for (let i = queue.length - 1; i >= 0; i--) {
        const held = queue[i]!
        if (held.record.time >= cutoff) continue
        queue.splice(i, 1)
        this.#forget(held)
        expired++
      }
    }
    return expired
  }

  /** Hands the waiting records of `rank` over (to be written to disk); `restore` takes back the rest. */
  drain(rank: SeverityRank): Held[] {
    const queue = this.#waiting[rank].splice(0)
    for (const held of queue) this.#forget(held)
    return queue
  }

  /** Forgets every waiting record (the process is going); returns how many. */
  drainAll(): number {
    let n = 0
    for (const queue of this.#waiting) {
      for (const held of queue.splice(0)) {
        this.#forget(held)
        n++
      }
    }
    return n
  }

  restore(held: readonly Held[]): void {
    for (const h of held) {
      this.#insert(h)
      this.records++
      this.bytes += h.record.bytes
    }
  }

  #forget(held: Held): void {
    this.records--
    this.bytes -= held.record.bytes
  }

  #insert(held: Held): void {
    const queue = this.#waiting[held.record.severity]
    let at = queue.length
    while (at > 0 && queue[at - 1]!.record.id > held.record.id) at--
    queue.splice(at, 0, held)
  }
}
