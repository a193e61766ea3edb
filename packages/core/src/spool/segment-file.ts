/**
 * One segment file of a log (`sev<rank>-<seq>.wal`, docs/spool.md#files): its name, what the log
 * keeps about it, and the start-up scan that counts what it holds without keeping any record.
 */
import type { SeverityRank } from '../delivery/types.js'
import { RecordReader } from './record-reader.js'
import type { SpoolFs } from './types.js'

export interface Segment {
  readonly seq: number
  readonly path: string
  /** Bytes of the file that belong to the log (a torn tail found at start-up included). */
  size: number
  /** Records not acknowledged, and their bytes (headers included). */
  live: number
  liveBytes: number
  /** Records the reader has not reached yet. */
  unread: number
  /** Newest record time: the age bound drops whole segments. */
  newest: number
  sealed: boolean
  /** Damaged regions the start-up scan counted; the reader counts only those beyond. */
  regions: number
}

/** A segment just created for appends: empty, active. */
export function newSegment(seq: number, path: string): Segment {
  return {
    seq,
    path,
    size: 0,
    live: 0,
    liveBytes: 0,
    unread: 0,
    newest: Number.NEGATIVE_INFINITY,
    sealed: false,
    regions: 0,
  }
}

/**
 * Counts the records of a segment found at start-up, from byte `from` (the cursor) on, leaving out
 * those `acked` says were acknowledged out of order. Headers only first (fast); a segment with
 * damage is scanned again with CRCs, as the reader will see it, so that both find the same records
 * and the same regions. Sealed: a segment found at start-up is never appended to. Throws what the
 * file system throws.
 */
export function scanSegment(
  fs: SpoolFs,
  seq: number,
  path: string,
  from: number,
  acked: (seq: number, offset: number) => boolean,
): Segment {
  const fd = fs.openSync(path, 'r')
  try {
    const size = fs.fstatSync(fd).size
    const count = (full: boolean): Segment => {
      const reader = new RecordReader(fs, fd, Math.min(from, size), size, full)
      const segment: Segment = { ...newSegment(seq, path), size, sealed: true }
      while (reader.next()) {
        segment.unread++
        if (reader.time > segment.newest) segment.newest = reader.time
        if (acked(seq, reader.offset)) continue
        segment.live++
        segment.liveBytes += reader.size
      }
      segment.regions = reader.corrupt
      return segment
    }
    const segment = count(false)
    return segment.regions > 0 ? count(true) : segment
  } finally {
    fs.closeSync(fd)
  }
}

const SEGMENT_NAME = /^sev([0-3])-(\d{12})\.wal$/

export function segmentFileName(rank: SeverityRank, seq: number): string {
  return `sev${rank}-${String(seq).padStart(12, '0')}.wal`
}

/** `[rank, seq]` for a segment file name, else undefined (the ledger, strangers). */
export function parseSegmentFileName(name: string): [SeverityRank, number] | undefined {
  const m = SEGMENT_NAME.exec(name)
  return m === null ? undefined : [Number(m[1]) as SeverityRank, Number(m[2])]
}
