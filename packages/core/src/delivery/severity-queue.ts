/**
 * Records held in memory, bounded by their bytes, in one FIFO per severity. Over the bound the
 * record to let go is the oldest waiting one of the lowest severity, up to the newcomer's own: a
 * newcomer outranked by everything waiting is itself the one let go — the policy the spool applies
 * per segment. Leased records count against the bound but are never let go: they are on their way.
 *
 * Both stores that keep records in memory use it, so that the policy is the same with the spool or
 * without: the memory store (memory-store.ts, the spool is off) and the spool's fallback while the
 * disk refuses writes (../spool/spool.ts).
 */
import type { NewRecord, SeverityRank, StoredRecord } from './types.js'

/** What a queue holds: a record, and whether it is out on lease. Stores add their own fields. */
export interface Queued {
  readonly record: StoredRecord
  leased: boolean
}

export function storedRecord(record: NewRecord, id: number, severity: SeverityRank): StoredRecord {
  return { id, data: record.data, severity, time: record.time, bytes: Buffer.byteLength(record.data) }
}

/** Waiting entries of one severity, by id (= arrival order); taking from the front is O(1). */
class Lane<E extends Queued> {
  #items: (E | undefined)[] = []
  #head = 0

  get length(): number {
    return this.#items.length - this.#head
  }

  peek(): E | undefined {
    return this.#items[this.#head]
  }

  shift(): E | undefined {
    const entry = this.#items[this.#head]
    if (entry === undefined) return undefined
    // Cleared so that a taken record's data is not kept alive past its acknowledgement.
    this.#items[this.#head++] = undefined
    if (this.#head === this.#items.length) {
      this.#items = []
      this.#head = 0
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    return entry
  }

  /** Puts `entry` back in id order; a released record is usually older than all that waits. */
  insert(entry: E): void {
    const items = this.#items
    const id = entry.record.id
    if (this.length === 0 || items[items.length - 1]!.record.id < id) {
      items.push(entry)
    } else if (this.#head > 0 && items[this.#head]!.record.id > id) {
      items[--this.#head] = entry
    } else {
      let lo = this.#head
      let hi = items.length
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (items[mid]!.record.id < id) lo = mid + 1
        else hi = mid
      }
      items.splice(lo, 0, entry)
    }
  }

  /** Takes out every entry `gone` says yes to; returns them. */
  removeWhere(gone: (entry: E) => boolean): E[] {
    const removed: E[] = []
    const kept: E[] = []
    for (let i = this.#head; i < this.#items.length; i++) {
      const entry = this.#items[i]!
      if (gone(entry)) removed.push(entry)
      else kept.push(entry)
    }
    if (removed.length > 0) {
      this.#items = kept
      this.#head = 0
    }
    return removed
  }
}

export class SeverityQueue<E extends Queued> {
  #records = 0
  #bytes = 0
  #waiting = 0
  readonly #capacity: number
  readonly #lanes: [Lane<E>, Lane<E>, Lane<E>, Lane<E>] = [new Lane(), new Lane(), new Lane(), new Lane()]

  constructor(capacityBytes: number) {
    this.#capacity = capacityBytes
  }

  /** Records held, leased ones included. */
  get records(): number {
    return this.#records
  }

  /** Payload bytes of the records held, leased ones included. */
  get bytes(): number {
    return this.#bytes
  }

  /** Records waiting to be leased. */
  get waiting(): number {
    return this.#waiting
  }

  /** Keeps `entry` (not leased); returns how many records were let go, the entry included if it was. */
  push(entry: E): number {
    const { bytes, severity } = entry.record
    // Larger than the whole bound: no eviction could make room, so nothing else is sacrificed.
    if (bytes > this.#capacity) return 1
    let dropped = 0
    while (this.#bytes + bytes > this.#capacity) {
      const victims = this.#lanes.slice(0, severity + 1).find((lane) => lane.length > 0)
      if (victims === undefined) return dropped + 1
      this.#forget(victims.shift()!)
      this.#waiting--
      dropped++
    }
    this.#lanes[severity].insert(entry)
    this.#waiting++
    this.#records++
    this.#bytes += bytes
    return dropped
  }

  /** The next waiting record of `rank`, to compare; `take` leases it. */
  head(rank: SeverityRank): E | undefined {
    return this.#lanes[rank].peek()
  }

  /** The waiting record with the oldest `time` across the severities; a tie goes to the lower one. */
  oldest(): E | undefined {
    let best: E | undefined
    for (const lane of this.#lanes) {
      const entry = lane.peek()
      if (entry !== undefined && (best === undefined || entry.record.time < best.record.time)) best = entry
    }
    return best
  }

  /** Leases the next waiting record of `rank` (there must be one). */
  take(rank: SeverityRank): E {
    const entry = this.#lanes[rank].shift()!
    this.#waiting--
    entry.leased = true
    return entry
  }

  /** Lets the next waiting record of `rank` go unleased (expired); returns it. */
  discard(rank: SeverityRank): E {
    const entry = this.#lanes[rank].shift()!
    this.#waiting--
    this.#forget(entry)
    return entry
  }

  /** A leased record was delivered (or set aside): forget it. */
  acked(entry: E): void {
    this.#forget(entry)
  }

  /** A leased record was not delivered: it waits again, in its place. */
  released(entry: E): void {
    entry.leased = false
    this.#lanes[entry.record.severity].insert(entry)
    this.#waiting++
  }

  /** Lets go the waiting records older than `cutoff`; returns how many. */
  expire(cutoff: number): number {
    let expired = 0
    for (const lane of this.#lanes) {
      for (const entry of lane.removeWhere((e) => e.record.time < cutoff)) {
        this.#forget(entry)
        expired++
      }
    }
    this.#waiting -= expired
    return expired
  }

  /** Hands the waiting records of `rank` over, forgotten here; `restore` takes back what is returned. */
  drain(rank: SeverityRank): E[] {
    const lane = this.#lanes[rank]
    const out: E[] = []
    for (let entry = lane.shift(); entry !== undefined; entry = lane.shift()) {
      this.#forget(entry)
      out.push(entry)
    }
    this.#waiting -= out.length
    return out
  }

  /** Forgets every waiting record; returns how many. */
  drainAll(): number {
    let n = 0
    for (const rank of [0, 1, 2, 3] as const) n += this.drain(rank).length
    return n
  }

  /** Takes back waiting records handed over by `drain`, beyond the bound if need be (they were held). */
  restore(entries: readonly E[]): void {
    for (const entry of entries) {
      this.#lanes[entry.record.severity].insert(entry)
      this.#waiting++
      this.#records++
      this.#bytes += entry.record.bytes
    }
  }

  #forget(entry: E): void {
    this.#records--
    this.#bytes -= entry.record.bytes
  }
}
