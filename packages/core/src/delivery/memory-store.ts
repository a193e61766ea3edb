/**
 * The store used when the disk spool is off: the same contract as the spool (types.ts), in memory,
 * bounded by the serialised bytes it holds. Over the bound, the oldest record of the lowest severity
 * goes first — the policy the spool applies per segment — and every drop is counted.
 */
import type { NewRecord, RecordStore, SeverityRank, StoreDropReason, StoredRecord } from './types.js'

export interface MemoryStoreOptions {
  /** Most serialised bytes held (leased records included). */
  readonly maxBytes: number
  /** Records older than this (by `time`) are dropped as `expired` when they come up for lease. */
  readonly maxAgeMs?: number
  readonly now?: () => number
}

interface Entry {
  record: StoredRecord
  leased: boolean
  gone: boolean
}

/** FIFO of entries for one severity; `gone` entries are skipped lazily so removal stays O(1). */
class Lane {
  items: Entry[] = []
  head = 0

  push(entry: Entry): void {
    this.items.push(entry)
  }

  /** Drops consumed entries from the front now and then, so the array does not grow for ever. */
  compact(): void {
    while (this.head < this.items.length && this.items[this.head]!.gone) this.head++
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
  }
}

export class MemoryStore implements RecordStore {
  readonly #options: MemoryStoreOptions
  readonly #now: () => number
  readonly #lanes: Lane[] = [new Lane(), new Lane(), new Lane(), new Lane()]
  #nextId = 1
  #records = 0
  #bytes = 0
  #leased = 0
  readonly #dropped: Record<StoreDropReason, number> = { overflow: 0, expired: 0, corrupt: 0, unwritable: 0 }
  readonly #byId = new Map<number, Entry>()

  constructor(options: MemoryStoreOptions) {
    this.#options = options
    this.#now = options.now ?? Date.now
  }

  get available(): number {
    return this.#records - this.#leased
  }

  append(records: readonly NewRecord[]): void {
    for (const r of records) {
      const record: StoredRecord = { ...r, id: this.#nextId++, bytes: Buffer.byteLength(r.data) }
      if (record.bytes > this.#options.maxBytes) {
        this.#dropped.overflow++
        continue
      }
      while (this.#bytes + record.bytes > this.#options.maxBytes) {
        if (!this.#evict(record.severity)) break
      }
      if (this.#bytes + record.bytes > this.#options.maxBytes) {
        // Everything held outranks the newcomer (or is in flight): it is the one to go.
        this.#dropped.overflow++
        continue
      }
      const entry: Entry = { record, leased: false, gone: false }
      this.#lanes[record.severity]!.push(entry)
      this.#byId.set(record.id, entry)
      this.#records++
      this.#bytes += record.bytes
    }
  }

  /** Drops the oldest not-leased record of the lowest severity up to `upTo`; false when there is none. */
  #evict(upTo: SeverityRank): boolean {
    for (let s = 0; s <= upTo; s++) {
      const lane = this.#lanes[s]!
      for (let i = lane.head; i < lane.items.length; i++) {
        const entry = lane.items[i]!
        if (entry.gone || entry.leased) continue
        this.#remove(entry)
        this.#dropped.overflow++
        lane.compact()
        return true
      }
    }
    return false
  }

  #remove(entry: Entry): void {
    entry.gone = true
    this.#byId.delete(entry.record.id)
    this.#records--
    this.#bytes -= entry.record.bytes
  }

  lease(maxBytes: number, maxRecords: number): StoredRecord[] {
    const out: StoredRecord[] = []
    const cursors = [0, 0, 0, 0].map((_, s) => this.#lanes[s]!.head)
    const expiredBefore =
      this.#options.maxAgeMs === undefined ? -Infinity : this.#now() - this.#options.maxAgeMs
    let bytes = 0
    while (out.length < maxRecords) {
      // Oldest first across the four lanes: each lane is in time order, so compare their heads.
      let best: Entry | undefined
      let bestLane = -1
      for (let s = 0; s < 4; s++) {
        const lane = this.#lanes[s]!
        let i = cursors[s]!
        while (i < lane.items.length && (lane.items[i]!.gone || lane.items[i]!.leased)) i++
        cursors[s] = i
        const entry = lane.items[i]
        if (entry !== undefined && (best === undefined || entry.record.time < best.record.time)) {
          best = entry
          bestLane = s
        }
      }
      if (best === undefined) break
      if (best.record.time < expiredBefore) {
        this.#remove(best)
        this.#dropped.expired++
        continue
      }
      if (out.length > 0 && bytes + best.record.bytes > maxBytes) break
      best.leased = true
      this.#leased++
      bytes += best.record.bytes
      out.push(best.record)
      cursors[bestLane]!++
    }
    return out
  }

  ack(records: readonly StoredRecord[]): void {
    for (const record of records) {
      const entry = this.#byId.get(record.id)
      if (entry === undefined) continue
      if (entry.leased) this.#leased--
      this.#remove(entry)
    }
    for (const lane of this.#lanes) lane.compact()
  }

  release(records: readonly StoredRecord[]): void {
    for (const record of records) {
      const entry = this.#byId.get(record.id)
      if (entry === undefined || !entry.leased) continue
      entry.leased = false
      this.#leased--
    }
  }

  stats() {
    return {
      records: this.#records,
      bytes: this.#bytes,
      leased: this.#leased,
      dropped: { ...this.#dropped },
      lastError: undefined,
    }
  }

  async sync(): Promise<void> {}

  /** Forgets everything: memory does not outlive the process (the delivery loop counts what was left). */
  async close(): Promise<void> {
    for (const lane of this.#lanes) {
      lane.items = []
      lane.head = 0
    }
    this.#byId.clear()
    this.#records = 0
    this.#bytes = 0
    this.#leased = 0
  }
}
