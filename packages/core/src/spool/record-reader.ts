/**
 * Reads records from one segment file in order, through a fixed buffer (positional `readSync`), so
 * that memory stays flat however large the spool is. Damage is skipped, never thrown: an invalid
 * record starts a region that ends at the next position holding an intact record (or at `end`), and
 * each region counts once in `corrupt` — a torn tail after a power loss is such a region too.
 *
 * `full: false` (the start-up scan) checks headers only — magic, and a length that stays inside the
 * file — and the CRC only when looking for the next record after damage: `zlib.crc32` costs about
 * 1 µs a call on Node 20, which made a 256 MB start-up take 1.9 s instead of 0.3 s. A record whose
 * payload alone is damaged is then found, and counted, when it is leased (segment-log.ts `#settle`).
 */
import { claimedLength, HEADER_BYTES, isIntact, MAGIC, recordTime } from './record-codec.js'
import type { SpoolFs } from './types.js'

export const CHUNK_BYTES = 1024 * 1024

export interface ReadRecord {
  /** Where the record starts in the file. */
  readonly offset: number
  /** Header and payload. */
  readonly size: number
  readonly time: number
  /**
   * The payload's bytes, when the reader reads in full (start-up scans do not): a view into the
   * chunk it was read with, not a copy — a chunk that handed out a payload is never read into again.
   */
  readonly payload: Buffer
}

const NONE = Buffer.alloc(0)

export class RecordReader {
  /** Next byte to look at. */
  position: number
  /** Bytes past this are not part of the segment (yet): the active segment grows. */
  end: number
  /** Damaged regions passed over. */
  corrupt = 0
  readonly #fs: SpoolFs
  readonly #fd: number
  readonly #full: boolean
  #buf: Buffer
  #bufStart = 0
  #bufLength = 0
  /** Whether a payload returned by `next` is a view into `#buf`: then the next read needs a new one. */
  #shared = false

  constructor(fs: SpoolFs, fd: number, start: number, end: number, full: boolean) {
    this.#fs = fs
    this.#fd = fd
    this.position = start
    this.end = end
    this.#full = full
    this.#buf = Buffer.allocUnsafe(CHUNK_BYTES)
  }

  next(): ReadRecord | undefined {
    while (this.position < this.end) {
      const record = this.#recordAt(this.position, this.#full)
      if (record !== undefined) {
        this.position += record.size
        return record
      }
      this.corrupt++
      this.position = this.#resync(this.position + 1)
    }
    return undefined
  }

  #recordAt(at: number, full: boolean): ReadRecord | undefined {
    if (at + HEADER_BYTES > this.end || !this.#load(at, HEADER_BYTES)) return undefined
    const length = claimedLength(this.#buf, at - this.#bufStart)
    if (length < 0 || at + HEADER_BYTES + length > this.end) return undefined
    const size = HEADER_BYTES + length
    // A header-only scan needs the next header, not this payload.
    if (!full) return { offset: at, size, time: recordTime(this.#buf, at - this.#bufStart), payload: NONE }
    if (!this.#load(at, size)) return undefined
    const i = at - this.#bufStart
    if (!isIntact(this.#buf, i, length)) return undefined
    this.#shared = true
    return {
      offset: at,
      size,
      time: recordTime(this.#buf, i),
      payload: this.#buf.subarray(i + HEADER_BYTES, i + size),
    }
  }

  /** The first position at or after `from` holding an intact record, or `end`. */
  #resync(from: number): number {
    let at = from
    while (at + HEADER_BYTES <= this.end) {
      if (!this.#load(at, Math.min(CHUNK_BYTES, this.end - at))) return this.end
      const loadedEnd = this.#bufStart + this.#bufLength
      const hit = this.#buf.subarray(0, this.#bufLength).indexOf(MAGIC, at - this.#bufStart)
      if (hit < 0) {
        // Keep the last bytes: a magic may straddle the chunk boundary.
        if (loadedEnd >= this.end) return this.end
        at = Math.max(at + 1, loadedEnd - (MAGIC.length - 1))
        continue
      }
      const candidate = this.#bufStart + hit
      if (this.#recordAt(candidate, true) !== undefined) return candidate
      at = candidate + 1
    }
    return this.end
  }

  /** Makes bytes `[at, at + n)` available in the buffer; false when the file is shorter. */
  #load(at: number, n: number): boolean {
    if (at >= this.#bufStart && at + n <= this.#bufStart + this.#bufLength) return true
    // One oversized record gets a buffer of its own; the next load returns to the usual size. A
    // chunk whose payloads were handed out is left to them (they are leased as views into it, so
    // that a backlog drains without a string or a copy per record) and a new one is read: no
    // larger than what the segment holds, as the active segment's tail is read a little at a time.
    const size = Math.max(n, Math.min(CHUNK_BYTES, this.end - at))
    if (this.#shared || this.#buf.length < size || this.#buf.length > Math.max(n, CHUNK_BYTES))
      this.#buf = Buffer.allocUnsafe(size)
    this.#shared = false
    const want = Math.min(this.#buf.length, this.end - at)
    let got = 0
    while (got < want) {
      const read = this.#fs.readSync(this.#fd, this.#buf, got, want - got, at + got)
      if (read === 0) break
      got += read
    }
    this.#bufStart = at
    this.#bufLength = got
    return got >= n
  }
}
