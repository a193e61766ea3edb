/**
 * The contracts of the pipeline's back half (docs/pipeline.md): a `RecordStore` holds serialised
 * events until a `Destination` has acknowledged them; the delivery loop (delivery-sink.ts) leases
 * records from the store, cuts them into requests, sends them, retries, splits and acknowledges.
 * Two stores implement the same contract: memory (memory-store.ts) and the disk spool (../spool/).
 */

import { WatchpostError } from '../errors.js'

/** Event severity as a number, so that stores can order and drop by it: Informational 0 … High 3. */
export type SeverityRank = 0 | 1 | 2 | 3

/** What the delivery loop appends: one event, prepared for its destination and serialised once. */
export interface NewRecord {
  /** Opaque to the store: the delivery loop writes `<partition>\n<row JSON>`. */
  readonly data: string
  readonly severity: SeverityRank
  /** When the event happened, ms since the epoch (its `TimeGenerated`); used for the age bound. */
  readonly time: number
}

/** A record the store holds, as `lease` returns it. */
export interface StoredRecord extends NewRecord {
  /** Opaque, unique within the store instance; the delivery loop only hands it back. */
  readonly id: number
  /** `Buffer.byteLength(data)`. */
  readonly bytes: number
  /**
   * `data` as UTF-8 bytes, when the store holds it so (the spool): the delivery loop copies request
   * bodies from these bytes and never decodes `data`. The record's own (never overwritten).
   */
  readonly payload?: Buffer
}

/**
 * Why a store let records go without delivery: `overflow` (over its byte bound: the oldest of the
 * lowest severity go first), `expired` (older than the age bound), `corrupt` (a torn or damaged
 * record found on disk), `unwritable` (the disk refused the write and the memory fallback was full).
 */
export type StoreDropReason = 'overflow' | 'expired' | 'corrupt' | 'unwritable'

export interface StoreStats {
  /** Records held and not acknowledged (leased ones included). */
  readonly records: number
  /** Bytes of those records (on disk for the spool, serialised for memory). */
  readonly bytes: number
  /** Records leased and not yet acknowledged or released. */
  readonly leased: number
  readonly dropped: Readonly<Record<StoreDropReason, number>>
  /** The last I/O error, if the store is degraded (e.g. `ENOSPC: no space left on device`). */
  readonly lastError: string | undefined
}

export interface RecordStore {
  /**
   * Takes records off the caller (off the request path). Never throws: a record it cannot keep is
   * counted in `stats().dropped` with its reason.
   */
  append(records: readonly NewRecord[]): void
  /**
   * Up to `maxRecords` records not leased yet, oldest first, whose `bytes` sum to at most
   * `maxBytes` — but always at least one record when any is available, whatever its size.
   */
  lease(maxBytes: number, maxRecords: number): StoredRecord[]
  /** The records were delivered or set aside: forget them for good (the spool deletes them later). */
  ack(records: readonly StoredRecord[]): void
  /** The records were not delivered: lease them again later (they keep their place in the order). */
  release(records: readonly StoredRecord[]): void
  /** Records available to `lease` now. */
  readonly available: number
  stats(): StoreStats
  /** Makes what was appended durable (the spool fsyncs; memory resolves at once). */
  sync(): Promise<void>
  /** Syncs and releases files and timers; records not acknowledged stay on disk for the next start. */
  close(): Promise<void>
}

/**
 * How a destination's failure is handled (the delivery loop decides what to do; the destination
 * only says what happened):
 * - `retry`: 408, 429, 5xx, network errors, timeouts — back off (honouring `retryAfterMs`) and resend;
 * - `auth`: 401/403 — keep the data, back off, report the misconfiguration once;
 * - `not_found`: 404 (wrong DCR, stream or URL) — keep the data, back off, report once;
 * - `too_large`: 413 — split the request and resend the halves;
 * - `rejected`: 400 and other 4xx — split to isolate the poison record, set only it aside.
 */
export type FailureKind = 'retry' | 'auth' | 'not_found' | 'too_large' | 'rejected'

/** What a `Destination` throws when a request fails (`ERR_WATCHPOST_DELIVERY_FAILED`; `kind` says how). */
export class DeliveryError extends WatchpostError<'ERR_WATCHPOST_DELIVERY_FAILED'> {
  readonly kind: FailureKind
  /** HTTP status, when there was a response. */
  readonly status: number | undefined
  /** From `retry-after-ms` / `x-ms-retry-after-ms` / `Retry-After`, when the response had one. */
  readonly retryAfterMs: number | undefined

  constructor(
    kind: FailureKind,
    message: string,
    options: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super('ERR_WATCHPOST_DELIVERY_FAILED', message, { cause: options.cause })
    this.kind = kind
    this.status = options.status
    this.retryAfterMs = options.retryAfterMs
  }
}

/** One request's content, as the delivery loop hands it to `Destination.send`. */
export interface OutgoingBatch {
  /** The stream (or other partition) every row goes to. */
  readonly partition: string
  /** Rows in the request. */
  readonly count: number
  /** Bytes of `body()`. */
  readonly bytes: number
  /** The rows as objects, parsed anew on each call. */
  rows(): Record<string, unknown>[]
  /** Exactly `JSON.stringify(rows())`, joined from the stored JSON without parsing. */
  body(): string
  /**
   * `body()` as UTF-8 bytes, copied from the stored bytes without making a string. Lent for this
   * attempt: the buffer is used again for a later request once `send` settled — copy what is kept.
   */
  bodyBytes(): Buffer
}

/** An `OutgoingBatch` of rows given as objects (for tests of a destination, or tools that send directly). */
export function batchOf(partition: string, rows: readonly Record<string, unknown>[]): OutgoingBatch {
  const body = JSON.stringify(rows)
  return {
    partition,
    count: rows.length,
    bytes: Buffer.byteLength(body),
    rows: () => JSON.parse(body) as Record<string, unknown>[],
    body: () => body,
    bodyBytes: () => Buffer.from(body),
  }
}

/**
 * A remote receiver of batches (the Logs Ingestion API, a webhook). It turns events into what it
 * sends and sends one request per `send`; everything else — batching, size caps, retries, the spool,
 * dead letters — is the delivery loop's.
 */
export interface Destination {
  /** For health, metrics and messages, e.g. `sentinel:dcr-…`; never holds a secret. */
  readonly name: string
  /**
   * What tells this destination apart from every other (never shown): the spool directory is named
   * from its hash, so records find their destination again after a restart. Default `name`.
   */
  readonly key?: string
  /** Largest request body, in bytes of JSON (an array of rows); the loop never sends more. */
  readonly maxRequestBytes: number
  /**
   * Maps an event to the row sent and the partition it goes to (a stream; one request never mixes
   * partitions). Called once per event, off the request path, before the event is stored.
   */
  prepare(event: Record<string, unknown>): {
    readonly partition: string
    readonly row: Record<string, unknown>
  }
  /**
   * Sends one request: the rows of one partition, whose JSON is at most `maxRequestBytes`. Take
   * the form you send — `batch.rows()` (objects), `batch.body()` (the JSON array) or
   * `batch.bodyBytes()` (that array's UTF-8, the cheapest when the records are spooled) — all are
   * built on demand and not kept between attempts; the bytes of `bodyBytes()` must not be read
   * after `send` settled (their buffer goes to the next request). Resolves on success; rejects with a
   * `DeliveryError` (anything else is treated as `retry`). Must honour `signal`.
   */
  send(batch: OutgoingBatch, signal: AbortSignal): Promise<void>
  close(): Promise<void>
}
