/**
 * One write-ahead log: the records of one severity, in numbered segment files
 * (`sev<rank>-<seq>.wal`, docs/spool.md#files). Appends go to the one active segment; a segment is
 * sealed when the next record would take it past `segmentBytes`, and never written again — also
 * across restarts: segments found at start-up are all sealed, so a torn tail is never appended to.
 *
 * Records are leased in file order and acknowledged in any order. `cursor()` is the position of the
 * first record not acknowledged: everything before it may go; the spool persists it (ledger.ts)
 * before it unlinks a segment wholly before it.
 */
import { join } from 'node:path'
import type { NewRecord, SeverityRank, StoredRecord } from '../delivery/types.js'
import { AckedAhead } from './acked-ahead.js'
import { writeAll } from './disk-io.js'
import { FileOrder, type Slotted } from './file-order.js'
import type { Cursor, Positions } from './ledger.js'
import { encodeRecord, HEADER_BYTES } from './record-codec.js'
import { RecordReader } from './record-reader.js'
import { newSegment, type Segment, scanSegment, segmentFileName } from './segment-file.js'
import type { SpoolFs } from './types.js'

export type { Segment } from './segment-file.js'
export { parseSegmentFileName, segmentFileName } from './segment-file.js'

/** A record out of a store's hands or set back: leased, or released and waiting to be leased again. */
export interface Held {
  readonly record: StoredRecord
  /** Segment and offset on disk; `seq` is -1 for the memory fallback. */
  readonly seq: number
  readonly offset: number
  leased: boolean
}

export interface LogHooks {
  /** An fd to fdatasync and close on the next sync tick (a sealed or dropped segment). */
  closeLater(fd: number): void
  /** A segment file was created: the directory needs an fsync. */
  created(): void
  /** Damaged regions found on reading that the start-up scan did not count. */
  lost(regions: number): void
  failed(err: unknown): void
}

/**
 * A record read back from disk: its bytes as read, decoded only if `data` is asked for. It is its
 * own `Held` (and knows its place in the log's queue): one object per record read, not three — the
 * lease path of a draining backlog allocates as little as it can (docs/sentinel.md#throughput).
 */
export class SpooledRecord implements StoredRecord, Held, Slotted {
  /** Given when it is first leased. */
  id = 0
  readonly payload: Buffer
  readonly severity: SeverityRank
  readonly time: number
  readonly seq: number
  readonly offset: number
  leased = false
  slot = -1
  readonly #log: SegmentLog

  constructor(log: SegmentLog, reader: RecordReader, seq: number) {
    this.#log = log
    this.payload = reader.payload
    this.severity = log.rank
    this.time = reader.time
    this.seq = seq
    this.offset = reader.offset
  }
  get record(): this {
    return this
  }
  get data(): string {
    return this.payload.toString('utf8')
  }
  get bytes(): number {
    return this.payload.length
  }
  /** Whether `log` read it (and not another spool's, or another log's). */
  from(log: SegmentLog | undefined): boolean {
    return this.#log === log
  }
}

/** What removing a segment let go: records never leased, and leased ones whose fate is pending. */
export interface Removed {
  readonly dropped: number
  readonly orphans: readonly Held[]
}

export class SegmentLog {
  readonly rank: SeverityRank
  readonly segments: Segment[] = []
  live = 0
  liveBytes = 0
  diskBytes = 0
  leased = 0
  readonly #dir: string
  readonly #fs: SpoolFs
  readonly #hooks: LogHooks
  readonly #segmentBytes: number
  readonly #bySeq = new Map<number, Segment>()
  #active: { readonly segment: Segment; readonly fd: number } | undefined
  #dirty = false
  #nextSeq = 1
  /** The reader's place: the first byte of `#readSeq` not read yet. */
  #readSeq = 0
  #readOffset = 0
  #reader: { readonly seq: number; readonly fd: number; readonly reader: RecordReader } | undefined
  #peeked: SpooledRecord | undefined
  /** Leased or released records, in file order (they are taken in file order). */
  readonly #outstanding = new FileOrder<SpooledRecord>()
  /** Released records, by id (= file order), leased again before anything new. */
  readonly #released: SpooledRecord[] = []
  /** Records acknowledged out of order, persisted with the cursor so that a restart skips them. */
  readonly #ahead = new AckedAhead()

  constructor(rank: SeverityRank, dir: string, fs: SpoolFs, hooks: LogHooks, segmentBytes: number) {
    this.rank = rank
    this.#dir = dir
    this.#fs = fs
    this.#hooks = hooks
    this.#segmentBytes = segmentBytes
  }

  /**
   * Adopts the segments found at start-up (sorted by `seq`): those wholly before `cursor` are
   * deleted — their deletion was due when the process stopped — the others scanned, from the cursor
   * on, skipping the records acknowledged out of order (`ahead`). Returns the damaged regions found.
   */
  load(seqs: readonly number[], cursor: Cursor, ahead: Positions): number {
    this.#ahead.markAll(ahead)
    let corrupt = 0
    let last = 0
    for (const seq of seqs) {
      last = Math.max(last, seq)
      const path = this.#path(seq)
      if (seq < cursor.seq) {
        this.#unlink(path)
        continue
      }
      const segment = this.#scan(seq, path, seq === cursor.seq ? cursor.offset : 0)
      if (segment === undefined) continue
      corrupt += segment.corrupt
      this.#add(segment.segment)
      this.live += segment.segment.live
      this.liveBytes += segment.segment.liveBytes
    }
    this.#readSeq = cursor.seq
    this.#readOffset = cursor.offset
    // A new segment must sort after the cursor, or a restart would take its records for acknowledged.
    this.#nextSeq = Math.max(last + 1, cursor.offset > 0 ? cursor.seq + 1 : cursor.seq, 1)
    return corrupt
  }

  #scan(seq: number, path: string, from: number): { segment: Segment; corrupt: number } | undefined {
    try {
      const segment = scanSegment(this.#fs, seq, path, from, (s, offset) => this.#ahead.has(s, offset))
      return { segment, corrupt: segment.regions }
    } catch (err) {
      this.#hooks.failed(err)
      return undefined
    }
  }

  /** Appends in order; stops at the first record the disk refuses (`written` < length, `error`). */
  write(records: readonly NewRecord[]): { written: number; error: unknown } {
    const bufs = records.map((r) => encodeRecord(r.data, r.time))
    let i = 0
    while (i < bufs.length) {
      const first = bufs[i]!
      if (this.#active !== undefined) {
        const size = this.#active.segment.size
        if (size > 0 && size + first.length > this.#segmentBytes) this.seal()
      }
      let active = this.#active
      if (active === undefined) {
        try {
          active = this.#activate()
        } catch (error) {
          return { written: i, error }
        }
      }
      const segment = active.segment
      // One write for the records that fit: the syscall, not the bytes, is the cost of an append.
      let j = i + 1
      let bytes = first.length
      while (j < bufs.length && segment.size + bytes + bufs[j]!.length <= this.#segmentBytes) {
        bytes += bufs[j]!.length
        j++
      }
      try {
        writeAll(this.#fs, active.fd, j - i === 1 ? first : Buffer.concat(bufs.slice(i, j), bytes))
      } catch (error) {
        this.#undo(active)
        return { written: i, error }
      }
      for (let k = i; k < j; k++) {
        const time = records[k]!.time
        if (time > segment.newest) segment.newest = time
      }
      segment.size += bytes
      segment.live += j - i
      segment.liveBytes += bytes
      segment.unread += j - i
      this.live += j - i
      this.liveBytes += bytes
      this.diskBytes += bytes
      this.#dirty = true
      i = j
    }
    return { written: i, error: undefined }
  }

  #activate(): { segment: Segment; fd: number } {
    for (;;) {
      const seq = this.#nextSeq++
      const path = this.#path(seq)
      let fd: number
      try {
        // `x`: never append to a file this process did not create (a leftover would shift offsets).
        fd = this.#fs.openSync(path, 'ax')
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue
        throw err
      }
      const segment = newSegment(seq, path)
      this.#add(segment)
      this.#active = { segment, fd }
      this.#hooks.created()
      return this.#active
    }
  }

  /** Cuts a failed write's partial record off; if even that fails, the segment ends where it was. */
  #undo(active: { segment: Segment; fd: number }): void {
    try {
      this.#fs.ftruncateSync(active.fd, active.segment.size)
    } catch {
      this.seal()
    }
  }

  /** The active segment is written no more; the next append starts a new one. */
  seal(): void {
    const active = this.#active
    if (active === undefined) return
    active.segment.sealed = true
    this.#active = undefined
    this.#dirty = false
    this.#hooks.closeLater(active.fd)
  }

  /** The fd to fdatasync now, if anything was written since the last call. */
  takeDirty(): number | undefined {
    if (!this.#dirty || this.#active === undefined) return undefined
    this.#dirty = false
    return this.#active.fd
  }

  /** Time and payload bytes of the next record `take` would return, if any. */
  head(): { readonly time: number; readonly bytes: number } | undefined {
    return this.#released[0] ?? this.#peek()
  }

  /** The next record (call after `head` returned one); `id` for one never leased before. */
  take(id: number): SpooledRecord {
    this.leased++
    const released = this.#released.shift()
    if (released !== undefined) {
      released.leased = true
      return released
    }
    const record = this.#peeked!
    this.#peeked = undefined
    record.id = id
    record.leased = true
    this.#outstanding.push(record)
    return record
  }

  acked(held: SpooledRecord): void {
    // Only an acknowledgement out of order needs remembering: an in-order one moves the cursor.
    if (this.#outstanding.first() !== held) this.#ahead.mark(held.seq, held.offset)
    this.#outstanding.delete(held)
    this.leased--
    const size = held.record.bytes + HEADER_BYTES
    const segment = this.#bySeq.get(held.seq)
    if (segment !== undefined) {
      segment.live--
      segment.liveBytes -= size
    }
    this.live--
    this.liveBytes -= size
  }

  released(held: SpooledRecord): void {
    held.leased = false
    this.leased--
    const id = held.record.id
    let at = this.#released.length
    while (at > 0 && this.#released[at - 1]!.record.id > id) at--
    this.#released.splice(at, 0, held)
  }

  #peek(): SpooledRecord | undefined {
    if (this.#peeked !== undefined) return this.#peeked
    for (;;) {
      const segment = this.#reading()
      if (segment === undefined) return undefined
      let reader: RecordReader
      try {
        reader = this.#openReader(segment)
      } catch (err) {
        this.#hooks.failed(err)
        return undefined
      }
      reader.end = segment.size
      const found = reader.next()
      this.#readOffset = reader.position
      if (found) {
        segment.unread--
        // Acknowledged before the restart, out of order: not counted live by the scan, not leased.
        if (this.#ahead.has(segment.seq, reader.offset)) continue
        this.#peeked = new SpooledRecord(this, reader, segment.seq)
        return this.#peeked
      }
      if (!segment.sealed) return undefined
      this.#settle(segment, reader.corrupt)
      this.#closeReader()
      this.#readSeq = segment.seq + 1
      this.#readOffset = 0
    }
  }

  /** The segment the reader is in: the one at its place, else the first after it. */
  #reading(): Segment | undefined {
    const current = this.#bySeq.get(this.#readSeq)
    if (current !== undefined) return current
    for (let i = 0; i < this.segments.length; i++) {
      const segment = this.segments[i]!
      if (segment.seq < this.#readSeq) continue
      this.#readSeq = segment.seq
      this.#readOffset = 0
      return segment
    }
    return undefined
  }

  /**
   * Read to the end: damage the scan did not see (a payload, or the file changed since) is counted
   * now, and the segment holds exactly what was taken from it and not acknowledged.
   */
  #settle(segment: Segment, regions: number): void {
    if (regions > segment.regions) this.#hooks.lost(regions - segment.regions)
    else if (segment.unread === 0) return
    let kept = 0
    let keptBytes = 0
    for (const held of this.#outstanding.entries()) {
      if (held.seq !== segment.seq) continue
      kept++
      keptBytes += held.record.bytes + HEADER_BYTES
    }
    this.live += kept - segment.live
    this.liveBytes += keptBytes - segment.liveBytes
    segment.live = kept
    segment.liveBytes = keptBytes
    segment.unread = 0
  }

  #openReader(segment: Segment): RecordReader {
    if (this.#reader?.seq === segment.seq) return this.#reader.reader
    this.#closeReader()
    const fd = this.#fs.openSync(segment.path, 'r')
    const reader = new RecordReader(this.#fs, fd, this.#readOffset, segment.size, true)
    this.#reader = { seq: segment.seq, fd, reader }
    return reader
  }

  #closeReader(): void {
    if (this.#reader === undefined) return
    try {
      this.#fs.closeSync(this.#reader.fd)
    } catch {
      // Nothing was written through it.
    }
    this.#reader = undefined
  }

  /** Position of the first record not acknowledged. */
  cursor(): Cursor {
    const first = this.#outstanding.first()
    if (first !== undefined) return { seq: first.seq, offset: first.offset }
    if (this.#peeked !== undefined) return { seq: this.#peeked.seq, offset: this.#peeked.offset }
    const segment = this.#bySeq.get(this.#readSeq)
    // Read to the end of a sealed segment: point past it, so that it can be deleted.
    if (segment?.sealed === true && this.#readOffset >= segment.size)
      return { seq: this.#readSeq + 1, offset: 0 }
    return { seq: this.#readSeq, offset: this.#readOffset }
  }

  /** The records acknowledged after `cursor`, ascending; forgets those before it. */
  ahead(cursor: Cursor): Positions {
    return this.#ahead.after(cursor)
  }

  /**
   * Seals the active segment if every record in it is acknowledged and it holds at least `minBytes`:
   * the next commit can then delete it (an active segment is never deleted), and the next append
   * starts a new one. Without this, delivered records would hold their space until the segment
   * filled up to `segmentBytes` — for ever, on a disk too small for that.
   */
  reclaim(minBytes: number): boolean {
    const segment = this.#active?.segment
    if (segment === undefined || segment.size === 0 || segment.size < minBytes || segment.live > 0)
      return false
    this.seal()
    return true
  }

  /** Whether a commit now would delete a segment (one wholly before the cursor). */
  freeable(): boolean {
    const first = this.segments[0]
    return first?.sealed === true && first.seq < this.cursor().seq
  }

  /** Deletes the sealed segments wholly before `seq` (the persisted cursor): all acknowledged. */
  deleteBefore(seq: number): number {
    let deleted = 0
    while (this.segments.length > 0) {
      const segment = this.segments[0]!
      if (segment.seq >= seq || !segment.sealed) break
      this.remove(segment)
      deleted++
    }
    return deleted
  }

  /** The oldest segment holding bytes (what the byte bound deletes first). */
  oldest(): Segment | undefined {
    return this.segments.find((s) => s.size > 0)
  }

  /**
   * Deletes `segment` whatever it holds. Records never leased (or released) are dropped; leased ones
   * are handed back as orphans — the caller counts them dropped only if they come back unsent.
   */
  remove(segment: Segment): Removed {
    if (this.#active?.segment === segment) this.seal()
    this.#unlink(segment.path)
    this.segments.splice(this.segments.indexOf(segment), 1)
    this.#bySeq.delete(segment.seq)
    this.#ahead.forget(segment.seq)
    const orphans: Held[] = []
    for (const held of this.#outstanding.entries()) {
      if (held.seq !== segment.seq) continue
      this.#outstanding.delete(held)
      if (held.leased) {
        orphans.push(held)
        this.leased--
      } else {
        this.#released.splice(this.#released.indexOf(held), 1)
      }
    }
    this.live -= segment.live
    this.liveBytes -= segment.liveBytes
    this.diskBytes -= segment.size
    if (this.#peeked?.seq === segment.seq) this.#peeked = undefined
    if (this.#readSeq === segment.seq) {
      this.#closeReader()
      this.#readSeq = segment.seq + 1
      this.#readOffset = 0
    }
    return { dropped: segment.live - orphans.length, orphans }
  }

  /** Closes the reader; returns the active fd for the caller to sync and close. */
  close(): number | undefined {
    this.#closeReader()
    const active = this.#active
    this.#active = undefined
    return active?.fd
  }

  #add(segment: Segment): void {
    this.segments.push(segment)
    this.#bySeq.set(segment.seq, segment)
    this.diskBytes += segment.size
  }

  #unlink(path: string): void {
    try {
      this.#fs.unlinkSync(path)
    } catch (err) {
      // Gone already is what was wanted; anything else leaves the file for the next start-up.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#hooks.failed(err)
    }
  }

  #path(seq: number): string {
    return join(this.#dir, segmentFileName(this.rank, seq))
  }
}
