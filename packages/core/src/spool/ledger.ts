/**
 * The acknowledgement ledger: per severity log, the position of the first record not yet
 * acknowledged (segment number and byte offset) — everything before it was acknowledged (or
 * dropped) and is never leased again after a restart — and the positions of the records
 * acknowledged out of order after it, so that a restart does not send those again either.
 *
 * Two fixed slots in one preallocated file, written alternately in place (pwrite + fdatasync), each
 * with a generation and a CRC; the valid slot with the highest generation wins. Why not temp file +
 * rename: a rename needs a new block, and on a full disk the spool must still record what was
 * acknowledged — or it could never delete a segment and free the space it needs. A torn slot write
 * (power loss) leaves the other slot, the previous cursors: acknowledged records come back
 * (duplicates), unacknowledged ones are never skipped. A ledger that cannot be read at all counts
 * as empty: everything on disk is sent again.
 *
 * Slot layout (64 KiB, little-endian): magic `CA 57 4C 02`, generation f64, entry count u32,
 * 4 × cursor (segment f64, offset f64), entries (rank u32, segment f64, offset f64), CRC-32 of all
 * that. Past `MAX_AHEAD` out-of-order acknowledgements the later ones are not recorded: they may
 * be sent again after a restart (duplicates, never loss).
 */

import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { fdatasync, writeAll } from './disk-io.js'
import type { SpoolFs } from './types.js'

export interface Cursor {
  readonly seq: number
  readonly offset: number
}

/** Positions as (seq, offset) pairs, one after the other, ascending. */
export type Positions = Float64Array

export interface LedgerState {
  /** Per rank, the first record not acknowledged. */
  readonly cursors: readonly Cursor[]
  /** Per rank, acknowledged records after the cursor. */
  readonly ahead: readonly Positions[]
}

export const LEDGER_FILE = 'ledger'
const SLOT_BYTES = 64 * 1024
const FIXED_BYTES = 16 + 4 * 16
const ENTRY_BYTES = 20
export const MAX_AHEAD = Math.floor((SLOT_BYTES - FIXED_BYTES - 4) / ENTRY_BYTES)
const MAGIC = 0x024c57ca
const START: Cursor = { seq: 0, offset: 0 }
const NONE: Positions = new Float64Array(0)
const EMPTY: LedgerState = { cursors: [START, START, START, START], ahead: [NONE, NONE, NONE, NONE] }

export class Ledger {
  #fd: number | undefined
  #generation = 0
  /**
   * The newest slot as written and the next one being encoded, swapped after each write: an
   * unchanged state (most sync ticks) is not written again, and a commit allocates nothing.
   */
  #last = Buffer.alloc(SLOT_BYTES)
  #lastUsed = -1
  #next = Buffer.alloc(SLOT_BYTES)
  readonly #fs: SpoolFs
  readonly #path: string

  constructor(fs: SpoolFs, dir: string) {
    this.#fs = fs
    this.#path = join(dir, LEDGER_FILE)
  }

  /** The persisted state (all at the start when there is no readable ledger). */
  read(): LedgerState {
    let buf: Buffer
    try {
      buf = this.#fs.readFileSync(this.#path)
    } catch {
      return EMPTY
    }
    let best: { generation: number; state: LedgerState } | undefined
    for (let at = 0; at < 2 * SLOT_BYTES && at < buf.length; at += SLOT_BYTES) {
      const slot = decodeSlot(buf.subarray(at, at + SLOT_BYTES))
      if (slot !== undefined && (best === undefined || slot.generation > best.generation)) best = slot
    }
    if (best === undefined) return EMPTY
    this.#generation = best.generation
    this.#lastUsed = encodeSlot(this.#last, best.generation, best.state)
    return best.state
  }

  /**
   * Creates the file now, both slots written, while there is room: later writes are in place and
   * need no new block. The caller fsyncs the directory; `write` fdatasyncs the file.
   */
  create(state: LedgerState): void {
    if (this.#fd !== undefined) return
    let fd: number
    try {
      fd = this.#fs.openSync(this.#path, 'r+')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      fd = this.#fs.openSync(this.#path, 'w+')
      try {
        const slot = Buffer.alloc(SLOT_BYTES)
        encodeSlot(slot, this.#generation, state)
        writeAll(this.#fs, fd, Buffer.concat([slot, slot]), 0)
      } catch (error) {
        this.#fs.closeSync(fd)
        throw error
      }
    }
    this.#fd = fd
  }

  /**
   * Durably records `state` (if it changed); only when this resolved may what it covers go. Never
   * called again before it settled (the spool's sync runs one at a time).
   */
  async write(state: LedgerState): Promise<void> {
    const generation = this.#generation + 1
    const used = encodeSlot(this.#next, generation, state)
    if (used === this.#lastUsed && sameState(this.#next, this.#last, used)) return
    this.create(state)
    writeAll(this.#fs, this.#fd!, this.#next, (generation % 2) * SLOT_BYTES)
    await fdatasync(this.#fs, this.#fd!)
    this.#generation = generation
    const written = this.#next
    this.#next = this.#last
    this.#last = written
    this.#lastUsed = used
  }

  close(): void {
    if (this.#fd === undefined) return
    try {
      this.#fs.closeSync(this.#fd)
    } catch {
      // Every write was fdatasync'ed already.
    }
    this.#fd = undefined
  }
}

/** Writes the slot for `state` into `buf` (`SLOT_BYTES`); returns the bytes before its CRC. */
function encodeSlot(buf: Buffer, generation: number, state: LedgerState): number {
  buf.writeUInt32LE(MAGIC, 0)
  buf.writeDoubleLE(generation, 4)
  state.cursors.forEach((c, i) => {
    buf.writeDoubleLE(c.seq, 16 + i * 16)
    buf.writeDoubleLE(c.offset, 24 + i * 16)
  })
  let count = 0
  state.ahead.forEach((positions, rank) => {
    for (let i = 0; i + 1 < positions.length && count < MAX_AHEAD; i += 2, count++) {
      const at = FIXED_BYTES + count * ENTRY_BYTES
      buf.writeUInt32LE(rank, at)
      buf.writeDoubleLE(positions[i]!, at + 4)
      buf.writeDoubleLE(positions[i + 1]!, at + 12)
    }
  })
  buf.writeUInt32LE(count, 12)
  const used = FIXED_BYTES + count * ENTRY_BYTES
  buf.writeUInt32LE(crc32(buf.subarray(0, used)), used)
  return used
}

/** Whether two encoded slots of `used` bytes say the same, whatever their generations. */
function sameState(a: Buffer, b: Buffer, used: number): boolean {
  return a.compare(b, 12, used, 12, used) === 0
}

function decodeSlot(buf: Buffer): { generation: number; state: LedgerState } | undefined {
  if (buf.length < FIXED_BYTES + 4 || buf.readUInt32LE(0) !== MAGIC) return undefined
  const count = buf.readUInt32LE(12)
  if (count > MAX_AHEAD) return undefined
  const used = FIXED_BYTES + count * ENTRY_BYTES
  if (buf.readUInt32LE(used) !== crc32(buf.subarray(0, used))) return undefined
  const position = (at: number): Cursor | undefined => {
    const seq = buf.readDoubleLE(at)
    const offset = buf.readDoubleLE(at + 8)
    return Number.isSafeInteger(seq) && Number.isSafeInteger(offset) && seq >= 0 && offset >= 0
      ? { seq, offset }
      : undefined
  }
  const cursors: Cursor[] = []
  for (let i = 0; i < 4; i++) {
    const cursor = position(16 + i * 16)
    if (cursor === undefined) return undefined
    cursors.push(cursor)
  }
  const ahead: number[][] = [[], [], [], []]
  for (let i = 0; i < count; i++) {
    const at = FIXED_BYTES + i * ENTRY_BYTES
    const entry = position(at + 4)
    const list = ahead[buf.readUInt32LE(at)]
    if (entry === undefined || list === undefined) return undefined
    list.push(entry.seq, entry.offset)
  }
  return {
    generation: buf.readDoubleLE(4),
    state: { cursors, ahead: ahead.map((list) => Float64Array.from(list)) },
  }
}
