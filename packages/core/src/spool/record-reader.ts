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

const NONE = Buffer.alloc(0)

/**
 * `next()` says whether it read a record; the reader's `offset`, `size`, `time` and `payload` then
 * describe it, until the next call. Fields rather than an object per record: a backlog drains at
 * tens of thousands of records a second, and each object would be young-generation garbage.
 */
export class RecordReader {
  /** Next byte to look at. */
  position: number
  /** Bytes past this are not part of the segment (yet): the active segment grows. */
  end: number
  /** Damaged regions passed over. */
  corrupt = 0
  /** Where the record read last starts in the file. */
  offset = 0
  /** Its header and payload. */
  size = 0
  time = 0
  /**
   * Its payload's bytes, when the reader reads in full (start-up scans do not): a copy, in Node's
   * pooled buffers, so that the chunk is read into again. A view would keep the whole 1 MiB chunk
   * alive as long as any record read from it: while a backlog drained, records promoted to the old
   * generation during their request kept their chunks until the next full GC — tens of MB at a
   * time (docs/sentinel.md#throughput); a copy keeps its own bytes, or the 8 KiB slab it shares.
   */
  payload: Buffer = NONE
  readonly #fs: SpoolFs
  readonly #fd: number
  readonly #full: boolean
  #buf: Buffer
  #bufStart = 0
  #bufLength = 0

  constructor(fs: SpoolFs, fd: number, start: number, end: number, full: boolean) {
    this.#fs = fs
    this.#fd = fd
    this.position = start
    this.end = end
    this.#full = full
    this.#buf = Buffer.allocUnsafe(CHUNK_BYTES)
  }

  next(): boolean {
    while (this.position < this.end) {
      if (this.#recordAt(this.position, this.#full)) {
        this.position += this.size
        return true
      }
      this.corrupt++
      this.position = this.#resync(this.position + 1)
    }
    return false
  }

  /** Whether an intact record starts at `at`; if so, the fields describe it. */
  #recordAt(at: number, full: boolean): boolean {
    if (at + HEADER_BYTES > this.end || !this.#load(at, HEADER_BYTES)) return false
    const length = claimedLength(this.#buf, at - this.#bufStart)
    if (length < 0 || at + HEADER_BYTES + length > this.end) return false
    const size = HEADER_BYTES + length
    let payload: Buffer = NONE
    // A header-only scan needs the next header, not this payload.
    if (full) {
      if (!this.#load(at, size)) return false
      const i = at - this.#bufStart
      const inChunk = this.#buf.subarray(i + HEADER_BYTES, i + size)
      if (!isIntact(this.#buf, i, inChunk)) return false
      payload = Buffer.allocUnsafe(length)
      inChunk.copy(payload)
    }
    this.offset = at
    this.size = size
    this.time = recordTime(this.#buf, at - this.#bufStart)
    this.payload = payload
    return true
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
      if (this.#recordAt(candidate, true)) return candidate
      at = candidate + 1
    }
    return this.end
  }

  /** Makes bytes `[at, at + n)` available in the buffer; false when the file is shorter. */
  #load(at: number, n: number): boolean {
    if (at >= this.#bufStart && at + n <= this.#bufStart + this.#bufLength) return true
    // One oversized record gets a buffer of its own; the next load returns to the usual size.
    const size = Math.max(n, Math.min(CHUNK_BYTES, this.end - at))
    if (this.#buf.length < size || this.#buf.length > Math.max(n, CHUNK_BYTES))
      this.#buf = Buffer.allocUnsafe(size)
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
