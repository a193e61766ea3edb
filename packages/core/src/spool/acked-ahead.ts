/**
 * The records of one log acknowledged out of order — after the first record not acknowledged (the
 * cursor) — by position (segment, offset). The ledger persists them with the cursor, so that a
 * restart skips them (ledger.ts); they are forgotten once the cursor passes them.
 *
 * While a backlog drains, thousands are pending and the ledger is committed every sync tick: `after`
 * hands them over as one array of numbers, not an object per position, so that the commit does not
 * fill the young generation with garbage that pushes the leased records into the old one.
 */
import type { Cursor, Positions } from './ledger.js'

export class AckedAhead {
  /** Segment → offsets. */
  readonly #bySeq = new Map<number, Set<number>>()

  mark(seq: number, offset: number): void {
    const offsets = this.#bySeq.get(seq)
    if (offsets === undefined) this.#bySeq.set(seq, new Set([offset]))
    else offsets.add(offset)
  }

  /** Marks every position of `positions` (as `after` returns them). */
  markAll(positions: Positions): void {
    for (let i = 0; i + 1 < positions.length; i += 2) this.mark(positions[i]!, positions[i + 1]!)
  }

  has(seq: number, offset: number): boolean {
    return this.#bySeq.get(seq)?.has(offset) === true
  }

  /** The segment is gone: its positions mean nothing any more. */
  forget(seq: number): void {
    this.#bySeq.delete(seq)
  }

  /** The positions after `cursor`, ascending, as (seq, offset) pairs; forgets those before it. */
  after(cursor: Cursor): Positions {
    let count = 0
    const seqs: number[] = []
    for (const [seq, offsets] of this.#bySeq) {
      if (seq === cursor.seq) for (const offset of offsets) if (offset < cursor.offset) offsets.delete(offset)
      if (seq < cursor.seq || offsets.size === 0) {
        this.#bySeq.delete(seq)
        continue
      }
      seqs.push(seq)
      count += offsets.size
    }
    const out = new Float64Array(2 * count)
    let at = 0
    for (const seq of seqs.sort((a, b) => a - b)) {
      // A typed array sorts numerically, in place, without boxing.
      for (const offset of Float64Array.from(this.#bySeq.get(seq)!).sort()) {
        out[at++] = seq
        out[at++] = offset
      }
    }
    return out
  }
}
