import type { RecordStore, StoreStats } from '../delivery/types.js'

export interface SpoolOptions {
  /** Directory of the segment files and the ledger; created (recursively) when missing. */
  readonly directory: string
  /** Bound on the segment files' bytes; beyond it the oldest segment of the lowest severity goes. */
  readonly maxBytes?: number
  /** Segments whose newest record is older than this are deleted (their records `expired`). */
  readonly maxAgeMs?: number
  /** How often appended records are fdatasync'ed: the most a power loss can take. */
  readonly syncIntervalMs?: number
  /** A segment is sealed and the next one started when a record would take it past this. */
  readonly segmentBytes?: number
  /** Records held in memory while the disk refuses writes; beyond it records are `unwritable`. */
  readonly memoryFallbackBytes?: number
  /** Clock, ms since the epoch (for tests). */
  readonly now?: () => number
  /** Called once per distinct error code while the disk is in trouble; what it throws is ignored. */
  readonly onError?: (err: Error) => void
  /** The file-system calls the spool makes (for tests that inject failures). */
  readonly fs?: SpoolFs
}

/** The part of `node:fs` the spool uses; `node:fs` itself satisfies it. */
export interface SpoolFs {
  openSync(path: string, flags: string): number
  closeSync(fd: number): void
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): number
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number
  ftruncateSync(fd: number, length: number): void
  fstatSync(fd: number): { readonly size: number }
  mkdirSync(path: string, options?: { recursive?: boolean }): unknown
  readdirSync(path: string): string[]
  readFileSync(path: string): Buffer
  renameSync(from: string, to: string): void
  unlinkSync(path: string): void
  fdatasync(fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void
  fsync(fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void
}

export interface SeverityUsage {
  /** Records not acknowledged, on disk. */
  readonly records: number
  /** Their bytes on disk, headers included. */
  readonly bytes: number
  readonly segments: number
}

export interface SpoolStats extends StoreStats {
  /** Segment files and their total size (acknowledged records not yet deleted included). */
  readonly segments: number
  readonly diskBytes: number
  /** Records held in the memory fallback (the disk refused them) and their payload bytes. */
  readonly memoryRecords: number
  readonly memoryBytes: number
  /** Per severity rank, Informational (0) to High (3). */
  readonly severities: readonly [SeverityUsage, SeverityUsage, SeverityUsage, SeverityUsage]
  /** What the start-up found: records and bytes recovered, damaged regions, time taken. */
  readonly recovered: {
    readonly records: number
    readonly bytes: number
    readonly corrupt: number
    readonly ms: number
  }
}

export interface Spool extends RecordStore {
  readonly directory: string
  stats(): SpoolStats
}
