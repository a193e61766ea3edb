/**
 * UUIDv7 (RFC 9562 §5.7): 48-bit Unix milliseconds, then a 12-bit counter that keeps ids minted in
 * the same millisecond in order (method 1 of §6.2), then 62 random bits. Sortable as strings, so
 * EventUid doubles as an ingestion-order key and as the dedupe key.
 */
import { randomFillSync } from 'node:crypto'

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
// One getrandom() call per 512 ids instead of one per id.
const POOL = Buffer.allocUnsafe(8 * 512)
let poolOffset = POOL.length
let lastMs = -1
let counter = 0

export function uuidv7(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now
    counter = 0
  } else if (++counter > 0xfff) {
    // Counter exhausted within one millisecond: borrow the next millisecond to stay monotonic.
    lastMs++
    counter = 0
  }
  if (poolOffset === POOL.length) {
    randomFillSync(POOL)
    poolOffset = 0
  }
  const r = poolOffset
  poolOffset += 8
  const ms = lastMs
  const hi = Math.floor(ms / 0x1000000) // top 24 bits of 48
  const lo = ms % 0x1000000
  return (
    HEX[(hi >>> 16) & 0xff]! +
    HEX[(hi >>> 8) & 0xff]! +
    HEX[hi & 0xff]! +
    HEX[(lo >>> 16) & 0xff]! +
    '-' +
    HEX[(lo >>> 8) & 0xff]! +
    HEX[lo & 0xff]! +
    '-' +
    HEX[0x70 | (counter >>> 8)]! +
    HEX[counter & 0xff]! +
    '-' +
    HEX[0x80 | (POOL[r]! & 0x3f)]! +
    HEX[POOL[r + 1]!]! +
    '-' +
    HEX[POOL[r + 2]!]! +
    HEX[POOL[r + 3]!]! +
    HEX[POOL[r + 4]!]! +
    HEX[POOL[r + 5]!]! +
    HEX[POOL[r + 6]!]! +
    HEX[POOL[r + 7]!]!
  )
}

/** Milliseconds since the epoch encoded in a UUIDv7. */
export function uuidv7Time(uid: string): number {
  return Number.parseInt(uid.slice(0, 8) + uid.slice(9, 13), 16)
}
