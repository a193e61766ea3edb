/**
 * The durable disk spool (docs/spool.md): a `RecordStore` over four write-ahead logs, one
 * per severity, so that the overflow policy — the oldest of the lowest severity go first — is
 * "delete the first segment of the lowest non-empty log".
 *
 * Crash-safe order (why a crash can only re-send, never lose):
 *   1. append: `writeSync` into the page cache — a SIGKILL loses nothing appended;
 *   2. sync tick (every `syncIntervalMs`): fdatasync the written segments, fsync the directory
 *      (new segment entries) — a power loss loses at most the appends since the last tick;
 *   3. then persist the ledger (a slot written in place, fdatasync; ledger.ts) with each log's
 *      cursor, the first record not acknowledged, and the records acknowledged after it;
 *   4. only then unlink the segments wholly before the persisted cursors.
 * A crash between 3 and 4 leaves segments the ledger says are done: start-up deletes them and
 * leases nothing before the cursors. A crash before 3 leaves the old ledger: acknowledged records
 * come back (duplicates, allowed), unacknowledged ones are all still there.
 *
 * Disk trouble never throws: a refused write goes to a bounded memory fallback (still leasable; the
 * memory store's queue, ../delivery/severity-queue.ts, so memory drops by the same policy), the disk
 * is tried again at most once per `RETRY_MS`, and what cannot be kept is counted.
 */

import { resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { SeverityQueue, storedRecord } from '../delivery/severity-queue.js'
import type { NewRecord, SeverityRank, StoreDropReason, StoredRecord } from '../delivery/types.js'
import { WatchpostTypeError } from '../errors.js'
import { asError, errorCode, fdatasync, makeDirectory, NODE_FS, syncDirectory } from './disk-io.js'
import { type Cursor, Ledger } from './ledger.js'
import { HEADER_BYTES } from './record-codec.js'
import {
  type Held,
  type LogHooks,
  parseSegmentFileName,
  type Removed,
  SegmentLog,
  SpooledRecord,
} from './segment-log.js'
import type { Spool, SpoolFs, SpoolOptions, SpoolStats } from './types.js'

export const SPOOL_DEFAULTS = {
  maxBytes: 256 * 1024 * 1024,
  maxAgeMs: 48 * 60 * 60 * 1000,
  syncIntervalMs: 200,
  segmentBytes: 8 * 1024 * 1024,
  memoryFallbackBytes: 16 * 1024 * 1024,
} as const

/** A disk in trouble is tried again at most this often (each try may cost a failing syscall). */
const RETRY_MS = 1000
/**
 * A fully acknowledged active segment at least this large is sealed and deleted at the next sync
 * tick (any size while the disk is in trouble): delivered records give their space back without
 * waiting for the segment to fill up, and a steady load creates and deletes a file only about once
 * per this many bytes, not once per tick.
 */
const RECLAIM_BYTES = 1024 * 1024
/** Write errors that more space would cure. */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT'])
const RANKS_HIGH_FIRST: readonly SeverityRank[] = [3, 2, 1, 0]

interface Settings {
  readonly directory: string
  readonly maxBytes: number
  readonly maxAgeMs: number
  readonly syncIntervalMs: number
  readonly segmentBytes: number
  readonly memoryFallbackBytes: number
  readonly now: () => number
  readonly onError: ((err: Error) => void) | undefined
  readonly fs: SpoolFs
}

export function createSpool(options: SpoolOptions): Spool {
  return new DiskSpool(normalise(options))
}

function normalise(options: SpoolOptions): Settings {
  if (typeof options?.directory !== 'string' || options.directory === '') {
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_SPOOL_OPTIONS_INVALID',
      'directory must be a non-empty string',
    )
  }
  const positive = (name: keyof typeof SPOOL_DEFAULTS): number => {
    const value = options[name]
    if (value === undefined) return SPOOL_DEFAULTS[name]
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new WatchpostTypeError(
        'ERR_WATCHPOST_SPOOL_OPTIONS_INVALID',
        `${name} must be a positive number, got ${String(value)}`,
      )
    }
    return value
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new WatchpostTypeError('ERR_WATCHPOST_SPOOL_OPTIONS_INVALID', 'now must be a function')
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new WatchpostTypeError('ERR_WATCHPOST_SPOOL_OPTIONS_INVALID', 'onError must be a function')
  }
  return {
    directory: resolve(options.directory),
    maxBytes: positive('maxBytes'),
    maxAgeMs: positive('maxAgeMs'),
    syncIntervalMs: positive('syncIntervalMs'),
    segmentBytes: positive('segmentBytes'),
    memoryFallbackBytes: positive('memoryFallbackBytes'),
    now: options.now ?? Date.now,
    onError: options.onError,
    fs: options.fs ?? NODE_FS,
  }
}

function rankOf(record: NewRecord): SeverityRank {
  const s = record.severity
  return s === 1 || s === 2 || s === 3 ? s : 0
}

class DiskSpool implements Spool {
  readonly directory: string
  readonly #s: Settings
  readonly #logs: readonly SegmentLog[]
  /** Where records wait while the disk refuses writes; `seq` -1 tells them from the logs' records. */
  readonly #memory: SeverityQueue<Held>
  readonly #ledger: Ledger
  /**
   * The leased records of the memory fallback; one read from disk is its own `Held` and says itself
   * whether it is leased (no map entry per record on the lease path).
   */
  readonly #memoryLeased = new Map<number, Held>()
  /** Records leased and not yet acknowledged or released, from disk and memory. */
  #leasedCount = 0
  /** Leased records whose segment was deleted meanwhile: dropped for `reason` unless acknowledged. */
  readonly #orphans = new Map<number, StoreDropReason>()
  #orphanBytes = 0
  readonly #dropped: Record<StoreDropReason, number> = { overflow: 0, expired: 0, corrupt: 0, unwritable: 0 }
  readonly #recovered = { records: 0, bytes: 0, corrupt: 0, ms: 0 }
  #nextId = 1
  /** The directory was listed and its segments adopted. */
  #opened = false
  #persisted: Cursor[] = []
  /** Sealed or dropped segments' fds: fdatasync'ed and closed by the sync run only. */
  #closing: number[] = []
  #directoryDirty = false
  #degraded = false
  #lastError: string | undefined
  #retryAt = 0
  readonly #reported = new Set<string>()
  #chain: Promise<void> = Promise.resolve()
  #queued = 0
  #closed: Promise<void> | undefined
  readonly #timer: NodeJS.Timeout

  constructor(settings: Settings) {
    this.#s = settings
    this.directory = settings.directory
    this.#memory = new SeverityQueue<Held>(settings.memoryFallbackBytes)
    this.#ledger = new Ledger(settings.fs, settings.directory)
    const hooks: LogHooks = {
      closeLater: (fd) => this.#closing.push(fd),
      created: () => {
        this.#directoryDirty = true
      },
      lost: (n) => {
        this.#dropped.corrupt += n
      },
      failed: (err) => this.#fail(err),
    }
    this.#logs = ([0, 1, 2, 3] as const).map(
      (rank) => new SegmentLog(rank, settings.directory, settings.fs, hooks, settings.segmentBytes),
    )
    this.#open()
    this.#timer = setInterval(() => {
      if (this.#queued === 0) void this.sync()
    }, settings.syncIntervalMs)
    // A spool never keeps the process alive; close() (or the exit flush) makes the last sync.
    this.#timer.unref()
  }

  /** Lists the directory and adopts its segments; false (degraded) when the disk says no. */
  #open(): boolean {
    const { fs, directory } = this.#s
    const started = performance.now()
    let names: string[]
    try {
      makeDirectory(fs, directory)
      names = fs.readdirSync(directory)
    } catch (err) {
      this.#fail(err)
      return false
    }
    const seqs: number[][] = [[], [], [], []]
    for (const name of names) {
      const parsed = parseSegmentFileName(name)
      if (parsed !== undefined) seqs[parsed[0]]!.push(parsed[1])
    }
    const state = this.#ledger.read()
    for (const log of this.#logs) {
      const found = seqs[log.rank]!.sort((a, b) => a - b)
      this.#recovered.corrupt += log.load(found, state.cursors[log.rank]!, state.ahead[log.rank]!)
      this.#recovered.records += log.live
      this.#recovered.bytes += log.liveBytes
    }
    this.#dropped.corrupt += this.#recovered.corrupt
    this.#persisted = [...state.cursors]
    try {
      // Now, while there is room: on a full disk the ledger must still take acknowledgements.
      this.#ledger.create(state)
      this.#directoryDirty = true
    } catch (err) {
      this.#fail(err)
    }
    this.#opened = true
    this.#recovered.ms = performance.now() - started
    return true
  }

  get available(): number {
    let n = this.#memory.waiting
    for (const log of this.#logs) n += log.live - log.leased
    return n
  }

  append(records: readonly NewRecord[]): void {
    if (records.length === 0) return
    if (this.#closed !== undefined) {
      this.#dropped.unwritable += records.length
      return
    }
    const rest = this.#diskUsable() ? this.#toDisk(records) : records
    for (const record of rest) {
      const held = {
        record: storedRecord(record, this.#nextId++, rankOf(record)),
        seq: -1,
        offset: 0,
        leased: false,
      }
      this.#dropped.unwritable += this.#memory.push(held)
    }
    this.#enforceBounds()
  }

  /** Writes what it can; returns the records the disk refused. */
  #toDisk(records: readonly NewRecord[]): readonly NewRecord[] {
    if (!this.#opened && !this.#open()) return records
    // Records that waited in memory go first, so that a log stays (roughly) in time order.
    if (this.#memory.waiting > 0 && !this.#flushMemory()) return records
    const groups: NewRecord[][] = [[], [], [], []]
    for (const record of records) groups[rankOf(record)]!.push(record)
    const rest: NewRecord[] = []
    let failed = false
    // High first: when the disk is filling up, the most important records are the ones that fit.
    for (const rank of RANKS_HIGH_FIRST) {
      const group = groups[rank]!
      if (group.length === 0) continue
      if (failed) {
        rest.push(...group)
        continue
      }
      const { written, error } = this.#logs[rank]!.write(group)
      if (written < group.length) {
        failed = true
        this.#fail(error)
        if (NO_SPACE.has(errorCode(error))) this.#reclaimSoon()
        rest.push(...group.slice(written))
      }
    }
    if (!failed) this.#healthy()
    return rest
  }

  /**
   * The disk is full: if delivered records hold space, a sync run now commits the ledger (written in
   * place: no new block), deletes their segments and tries the disk again — the records refused
   * meanwhile wait in the memory fallback. Ledger first, then unlink, as always.
   */
  #reclaimSoon(): void {
    this.#reclaim()
    if (this.#queued === 0 && this.#logs.some((log) => log.freeable())) void this.sync()
  }

  /** Seals the fully acknowledged active segments worth deleting (see `RECLAIM_BYTES`). */
  #reclaim(): boolean {
    const minBytes = this.#degraded ? 1 : RECLAIM_BYTES
    let sealed = false
    for (const log of this.#logs) if (log.reclaim(minBytes)) sealed = true
    return sealed
  }

  /** Moves the records waiting in memory to disk; false if the disk refused some (they stay). */
  #flushMemory(): boolean {
    for (const rank of RANKS_HIGH_FIRST) {
      const held = this.#memory.drain(rank)
      if (held.length === 0) continue
      const { written, error } = this.#logs[rank]!.write(held.map((h) => h.record))
      if (written < held.length) {
        this.#memory.restore(held.slice(written))
        this.#fail(error)
        if (NO_SPACE.has(errorCode(error))) this.#reclaimSoon()
        return false
      }
    }
    return true
  }

  lease(maxBytes: number, maxRecords: number): StoredRecord[] {
    const out: StoredRecord[] = []
    if (this.#closed !== undefined) return out
    let bytes = 0
    while (out.length < maxRecords) {
      // Oldest first across the four logs and the memory fallback; ties go to the higher severity.
      let best: SegmentLog | SeverityRank | undefined
      let bestTime = Number.POSITIVE_INFINITY
      let bestBytes = 0
      for (const rank of RANKS_HIGH_FIRST) {
        const head = this.#logs[rank]!.head()
        if (head !== undefined && (best === undefined || head.time < bestTime)) {
          best = this.#logs[rank]!
          bestTime = head.time
          bestBytes = head.bytes
        }
        const waiting = this.#memory.head(rank)?.record
        if (waiting !== undefined && (best === undefined || waiting.time < bestTime)) {
          best = rank
          bestTime = waiting.time
          bestBytes = waiting.bytes
        }
      }
      if (best === undefined || (out.length > 0 && bytes + bestBytes > maxBytes)) break
      const held = typeof best === 'number' ? this.#memory.take(best) : best.take(this.#nextId++)
      if (!(held instanceof SpooledRecord)) this.#memoryLeased.set(held.record.id, held)
      this.#leasedCount++
      out.push(held.record)
      bytes += held.record.bytes
    }
    return out
  }

  ack(records: readonly StoredRecord[]): void {
    for (const record of records) {
      const held = this.#take(record)
      if (held === undefined) continue
      if (this.#orphans.delete(record.id)) this.#orphanBytes -= record.bytes + HEADER_BYTES
      else if (held instanceof SpooledRecord) this.#logs[held.severity]!.acked(held)
      else this.#memory.acked(held)
    }
  }

  release(records: readonly StoredRecord[]): void {
    for (const record of records) {
      const held = this.#take(record)
      if (held === undefined) continue
      const orphaned = this.#orphans.get(record.id)
      if (orphaned !== undefined) {
        // Its segment is gone: not sent after all, so now it counts as dropped.
        this.#orphans.delete(record.id)
        this.#orphanBytes -= record.bytes + HEADER_BYTES
        this.#dropped[orphaned]++
      } else if (held instanceof SpooledRecord) this.#logs[held.severity]!.released(held)
      else this.#memory.released(held)
    }
  }

  /** The leased record behind `record`, no longer leased; undefined for a stranger or a repeat. */
  #take(record: StoredRecord): Held | undefined {
    let held: Held | undefined
    if (record instanceof SpooledRecord) {
      if (record.from(this.#logs[record.severity])) held = record
    } else {
      held = this.#memoryLeased.get(record.id)
      this.#memoryLeased.delete(record.id)
    }
    if (held?.leased !== true) return undefined
    held.leased = false
    this.#leasedCount--
    return held
  }

  stats(): SpoolStats {
    let records = this.#memory.records + this.#orphans.size
    let bytes = this.#memory.bytes + this.#orphanBytes
    let segments = 0
    let diskBytes = 0
    for (const log of this.#logs) {
      records += log.live
      bytes += log.liveBytes
      segments += log.segments.length
      diskBytes += log.diskBytes
    }
    const usage = (log: SegmentLog) => ({
      records: log.live,
      bytes: log.liveBytes,
      segments: log.segments.length,
    })
    const [l0, l1, l2, l3] = this.#logs as [SegmentLog, SegmentLog, SegmentLog, SegmentLog]
    return {
      records,
      bytes,
      leased: this.#leasedCount,
      dropped: { ...this.#dropped },
      lastError: this.#lastError,
      segments,
      diskBytes,
      memoryRecords: this.#memory.records,
      memoryBytes: this.#memory.bytes,
      severities: [usage(l0), usage(l1), usage(l2), usage(l3)],
      recovered: { ...this.#recovered },
    }
  }

  /** Runs one sync after any in progress (never two at once: only a run closes fds). */
  sync(): Promise<void> {
    this.#queued++
    const run = this.#chain.then(() => this.#syncOnce()).finally(() => this.#queued--)
    this.#chain = run
    return run
  }

  close(): Promise<void> {
    if (this.#closed !== undefined) return this.#closed
    clearInterval(this.#timer)
    // Last chance for the records waiting in memory; what stays there is lost with the process.
    if (this.#memory.waiting > 0 && this.#opened) this.#flushMemory()
    this.#dropped.unwritable += this.#memory.drainAll()
    for (const log of this.#logs) {
      log.seal()
      log.close()
    }
    this.#closed = this.sync().then(() => this.#ledger.close())
    return this.#closed
  }

  async #syncOnce(): Promise<void> {
    try {
      const now = this.#s.now()
      // Sealed now, deleted by this run's commit; the disk is tried again once that freed the space.
      if (!this.#reclaim()) this.#retryDisk()
      this.#enforceBounds(now)
      await this.#syncData()
      if (this.#opened && (await this.#commit()) && this.#degraded) {
        this.#retryAt = 0
        this.#retryDisk()
      }
    } catch (err) {
      // Only the disk fails here, and it is reported; a sync run never rejects.
      this.#fail(err)
    }
  }

  /** Moves the records waiting in memory to disk, if the disk may be tried now. */
  #retryDisk(): void {
    if (this.#closed !== undefined || this.#memory.waiting === 0 || !this.#diskUsable()) return
    if ((this.#opened || this.#open()) && this.#flushMemory()) this.#healthy()
  }

  async #syncData(): Promise<void> {
    const { fs, directory } = this.#s
    const dirty: number[] = []
    for (const log of this.#logs) {
      const fd = log.takeDirty()
      if (fd !== undefined) dirty.push(fd)
    }
    const closing = this.#closing.splice(0)
    await Promise.all([
      ...dirty.map((fd) => fdatasync(fs, fd).catch((err) => this.#fail(err))),
      ...closing.map((fd) =>
        fdatasync(fs, fd)
          .catch((err) => this.#fail(err))
          .finally(() => this.#closeQuietly(fd)),
      ),
    ])
    if (this.#directoryDirty) {
      this.#directoryDirty = false
      await syncDirectory(fs, directory).catch((err) => {
        this.#directoryDirty = true
        this.#fail(err)
      })
    }
  }

  /**
   * Persists the cursors, then deletes what they cover — in that order (see the top of the file).
   * True if a segment was deleted.
   */
  async #commit(): Promise<boolean> {
    const cursors = this.#logs.map((log) => log.cursor())
    const ahead = this.#logs.map((log) => log.ahead(cursors[log.rank]!))
    await this.#ledger.write({ cursors, ahead })
    this.#persisted = cursors
    let deleted = 0
    for (const log of this.#logs) deleted += log.deleteBefore(this.#persisted[log.rank]!.seq)
    return deleted > 0
  }

  #enforceBounds(now = this.#s.now()): void {
    const cutoff = now - this.#s.maxAgeMs
    this.#dropped.expired += this.#memory.expire(cutoff)
    for (const log of this.#logs) {
      for (const segment of log.segments.filter((s) => s.size > 0 && s.newest < cutoff)) {
        this.#drop(log.remove(segment), 'expired')
      }
    }
    for (;;) {
      let total = 0
      for (const log of this.#logs) total += log.diskBytes
      if (total <= this.#s.maxBytes) return
      const log = this.#logs.find((l) => l.oldest() !== undefined)
      if (log === undefined) return
      this.#drop(log.remove(log.oldest()!), 'overflow')
    }
  }

  #drop(removed: Removed, reason: 'overflow' | 'expired'): void {
    this.#dropped[reason] += removed.dropped
    for (const held of removed.orphans) {
      this.#orphans.set(held.record.id, reason)
      this.#orphanBytes += held.record.bytes + HEADER_BYTES
    }
  }

  #diskUsable(): boolean {
    return !this.#degraded || this.#s.now() >= this.#retryAt
  }

  #fail(err: unknown): void {
    const code = errorCode(err)
    this.#degraded = true
    this.#lastError = asError(err).message
    this.#retryAt = this.#s.now() + RETRY_MS
    if (this.#reported.has(code)) return
    this.#reported.add(code)
    try {
      this.#s.onError?.(asError(err))
    } catch {
      // A user callback cannot break the spool.
    }
  }

  #healthy(): void {
    if (!this.#degraded) return
    this.#degraded = false
    this.#lastError = undefined
    this.#reported.clear()
  }

  #closeQuietly(fd: number): void {
    try {
      this.#s.fs.closeSync(fd)
    } catch {
      // The data was synced (or the failure reported) already.
    }
  }
}
