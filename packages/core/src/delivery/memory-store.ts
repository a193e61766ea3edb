/**
 * The store used when the disk spool is off: the same contract as the spool (types.ts), in memory,
 * bounded by the serialised bytes it holds. Over the bound, the oldest record of the lowest severity
 * goes first (severity-queue.ts, as in the spool's own memory fallback), and every drop is counted.
 */
import { type Queued, SeverityQueue, storedRecord } from './severity-queue.js'
import type { NewRecord, RecordStore, StoreDropReason, StoredRecord } from './types.js'

export interface MemoryStoreOptions {
  /** Most serialised bytes held (leased records included). */
  readonly maxBytes: number
  /** Records older than this (by `time`) are dropped as `expired` when they come up for lease. */
  readonly maxAgeMs?: number
  readonly now?: () => number
}

export class MemoryStore implements RecordStore {
  readonly #options: MemoryStoreOptions
  readonly #now: () => number
  readonly #queue: SeverityQueue<Queued>
  readonly #leased = new Map<number, Queued>()
  #nextId = 1
  readonly #dropped: Record<StoreDropReason, number> = { overflow: 0, expired: 0, corrupt: 0, unwritable: 0 }

  constructor(options: MemoryStoreOptions) {
    this.#options = options
    this.#now = options.now ?? Date.now
    this.#queue = new SeverityQueue(options.maxBytes)
  }

  get available(): number {
    return this.#queue.waiting
  }

  append(records: readonly NewRecord[]): void {
    for (const r of records) {
      const entry = { record: storedRecord(r, this.#nextId++, r.severity), leased: false }
      this.#dropped.overflow += this.#queue.push(entry)
    }
  }

  lease(maxBytes: number, maxRecords: number): StoredRecord[] {
    const out: StoredRecord[] = []
    const expiredBefore =
      this.#options.maxAgeMs === undefined ? -Infinity : this.#now() - this.#options.maxAgeMs
    let bytes = 0
    while (out.length < maxRecords) {
      const next = this.#queue.oldest()
      if (next === undefined) break
      const { severity, time } = next.record
      if (time < expiredBefore) {
        this.#queue.discard(severity)
        this.#dropped.expired++
        continue
      }
      if (out.length > 0 && bytes + next.record.bytes > maxBytes) break
      this.#queue.take(severity)
      this.#leased.set(next.record.id, next)
      bytes += next.record.bytes
      out.push(next.record)
    }
    return out
  }

  ack(records: readonly StoredRecord[]): void {
    for (const record of records) {
      const entry = this.#take(record)
      if (entry !== undefined) this.#queue.acked(entry)
    }
  }

  release(records: readonly StoredRecord[]): void {
    for (const record of records) {
      const entry = this.#take(record)
      if (entry !== undefined) this.#queue.released(entry)
    }
  }

  /** The leased entry behind `record`, no longer leased; undefined for a stranger or a repeat. */
  #take(record: StoredRecord): Queued | undefined {
    const entry = this.#leased.get(record.id)
    if (entry !== undefined) this.#leased.delete(record.id)
    return entry
  }

  stats() {
    return {
      records: this.#queue.records,
      bytes: this.#queue.bytes,
      leased: this.#leased.size,
      dropped: { ...this.#dropped },
      lastError: undefined,
    }
  }

  async sync(): Promise<void> {}

  /** Forgets everything: memory does not outlive the process (the delivery loop counts what was left). */
  async close(): Promise<void> {
    this.#queue.drainAll()
    for (const entry of this.#leased.values()) this.#queue.acked(entry)
    this.#leased.clear()
  }
}
