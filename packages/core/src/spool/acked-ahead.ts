/**
 * The records of one log acknowledged out of order — after the first record not acknowledged (the
 * cursor) — by position (segment, offset). The ledger persists them with the cursor, so that a
 * restart skips them (ledger.ts); they are forgotten once the cursor passes them.
 */
import type { Cursor } from './ledger.js'

export class AckedAhead {
  /** Segment → offsets. */
  readonly #bySeq = new Map<number, Set<number>>()

  mark(seq: number, offset: number): void {
    const offsets = this.#bySeq.get(seq)
    if (offsets === undefined) this.#bySeq.set(seq, new Set([offset]))
    else offsets.add(offset)
  }

  has(seq: number, offset: number): boolean {
    return this.#bySeq.get(seq)?.has(offset) === true
  }

  /** The segment is gone: its positions mean nothing any more. */
  forget(seq: number): void {
    this.#bySeq.delete(seq)
  }

  /** The positions after `cursor`, ascending; forgets those before it. */
  after(cursor: Cursor): Cursor[] {
    const out: Cursor[] = []
    for (const [seq, offsets] of this.#bySeq) {
      if (seq < cursor.seq) {
        this.#bySeq.delete(seq)
        continue
      }
      for (const offset of offsets) {
        if (seq === cursor.seq && offset < cursor.offset) offsets.delete(offset)
        else out.push({ seq, offset })
      }
      if (offsets.size === 0) this.#bySeq.delete(seq)
    }
    return out.sort((a, b) => a.seq - b.seq || a.offset - b.offset)
  }
}
