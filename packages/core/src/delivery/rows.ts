/**
 * Leased records as the rows of requests. A record is `<partition>\n<row JSON>` (delivery-sink.ts
 * `send`); a request is the JSON array of one partition's rows, joined from the stored JSON without
 * parsing it. A record the spool read back from disk has its bytes (`payload`): its partition is
 * recognised and its row found in them by position — no string per record — and the row is copied
 * straight into the request body. While a backlog drains, each object kept per record here lives as
 * long as its request is out, long enough to be promoted out of the young generation and linger
 * until a full GC, so there is one (the item).
 */
import type { BodyBuffers } from './body-buffers.js'
import { trimRow } from './trim.js'
import { DeliveryError, type OutgoingBatch, type StoredRecord } from './types.js'

/** A leased record on its way, as one row of a request (rows are parsed per attempt, never kept). */
export interface Item {
  readonly record: StoredRecord
  /** The stream (or other partition) it goes to. */
  readonly partition: string
  /** The row's JSON as a string: a record without bytes, or a row trimmed to fit; else undefined. */
  readonly json: string | undefined
  /** Where the row starts in `record.payload` (when `json` is undefined). */
  readonly start: number
  /** Bytes of the row's JSON. */
  readonly bytes: number
}

const OPEN = 0x5b
const COMMA = 0x2c
const CLOSE = 0x5d
const NEWLINE = 0x0a
/** Distinct partitions remembered as bytes; a destination has a handful (Sentinel: four streams). */
const MAX_NAMES = 64

/**
 * Partition names by their bytes: the name of a stored record's partition is found by comparing
 * bytes, not decoded to a new string for every record.
 */
export class PartitionNames {
  readonly #known: { readonly bytes: Buffer; readonly name: string }[] = []

  /** The partition of `payload`, whose first `end` bytes are its name. */
  nameOf(payload: Buffer, end: number): string {
    for (const known of this.#known) {
      if (known.bytes.length === end && payload.compare(known.bytes, 0, end, 0, end) === 0) return known.name
    }
    const name = payload.toString('utf8', 0, end)
    if (this.#known.length < MAX_NAMES) this.#known.push({ bytes: Buffer.from(name), name })
    return name
  }
}

/** A record as an item; `undefined` when it has no partition (unreadable). */
export function itemOf(record: StoredRecord, names: PartitionNames): Item | undefined {
  const payload = record.payload
  if (payload === undefined) {
    const end = record.data.indexOf('\n')
    if (end < 0) return undefined
    const partition = record.data.slice(0, end)
    return { record, partition, json: record.data.slice(end + 1), start: 0, bytes: record.bytes - end - 1 }
  }
  const end = payload.indexOf(NEWLINE)
  if (end < 0) return undefined
  const partition = names.nameOf(payload, end)
  return { record, partition, json: undefined, start: end + 1, bytes: payload.length - end - 1 }
}

/** The row as a string (to parse it: trimming, `rows()`). */
export function rowText(item: Item): string {
  return item.json ?? item.record.payload!.toString('utf8', item.start)
}

/** The item with its row replaced by `json` (trimmed to fit). */
function withRow(item: Item, json: string): Item {
  return { record: item.record, partition: item.partition, json, start: 0, bytes: Buffer.byteLength(json) }
}

/** The row trimmed to at most `maxBytes` of JSON (trim.ts), or undefined if it cannot be. */
export function trimmed(item: Item, maxBytes: number): Item | undefined {
  const row = trimRow(JSON.parse(rowText(item)) as Record<string, unknown>, maxBytes)
  return row === undefined ? undefined : withRow(item, row.json)
}

/**
 * The JSON array as bytes, into `body` (outside the JS heap): a body that outlives a couple of
 * young-generation collections while its request is out would otherwise be promoted as a ~1 MB
 * string and linger until the next full GC — what made a backlog's catch-up grow the RSS.
 */
function fillBody(body: Buffer, items: readonly Item[]): void {
  let at = 0
  body[at++] = OPEN
  for (let i = 0; i < items.length; i++) {
    if (i > 0) body[at++] = COMMA
    const item = items[i]!
    at +=
      item.json === undefined
        ? item.record.payload!.copy(body, at, item.start)
        : body.write(item.json, at, 'utf8')
  }
  body[at++] = CLOSE
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** One attempt's request; `done` once the destination's `send` settled gives its body buffer back. */
export interface Attempt extends OutgoingBatch {
  done(): void
}

/** One request's content: the rows of `items`, all of `partition`; its body in a buffer of `bodies`. */
export function outgoing(partition: string, items: readonly Item[], bodies: BodyBuffers): Attempt {
  let bytes = 1 + items.length
  for (const item of items) bytes += item.bytes
  let lent: Buffer | undefined
  const bodyBytes = () => {
    // Built once per attempt: a second call returns the same bytes.
    if (lent !== undefined) return lent.subarray(0, bytes)
    lent = bodies.take(bytes)
    const body = lent.subarray(0, bytes)
    fillBody(body, items)
    return body
  }
  return {
    partition,
    count: items.length,
    bytes,
    body: () => bodyBytes().toString('utf8'),
    bodyBytes,
    done() {
      if (lent !== undefined) bodies.give(lent)
      lent = undefined
    },
    rows: () =>
      items.map((i) => {
        try {
          return JSON.parse(rowText(i)) as Record<string, unknown>
        } catch (err) {
          // Cannot happen for what the loop stored (the spool checks every record's CRC); if it
          // does, the request is refused like a 400, so the split isolates and sets aside the record.
          throw new DeliveryError('rejected', `unreadable record: ${message(err)}`)
        }
      }),
  }
}

/** Cuts items (one partition) into requests whose JSON array is at most `maxBytes`. */
export function cut(items: readonly Item[], maxBytes: number): Item[][] {
  const chunks: Item[][] = []
  let chunk: Item[] = []
  let size = 2
  for (const item of items) {
    const add = item.bytes + (chunk.length === 0 ? 0 : 1)
    if (chunk.length > 0 && size + add > maxBytes) {
      chunks.push(chunk)
      chunk = []
      size = 2
    }
    size += item.bytes + (chunk.length === 0 ? 0 : 1)
    chunk.push(item)
  }
  if (chunk.length > 0) chunks.push(chunk)
  return chunks
}
