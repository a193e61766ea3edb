/**
 * The on-disk record (docs/spool.md#file-format): a 20-byte header and the UTF-8 payload.
 *
 *   offset 0  magic   CA 57 50 01
 *   offset 4  u32 LE  CRC-32 of bytes 8.. to the end of the payload
 *   offset 8  u32 LE  payload length in bytes
 *   offset 12 f64 LE  event time, ms since the epoch (the age bound reads it without the payload)
 *
 * The CRC covers the length and the time as well as the payload, so a damaged header is caught,
 * not just a damaged payload; one contiguous range, because each `zlib.crc32` call costs ~1 µs. The magic starts with 0xCA, a UTF-8 lead byte followed by 0x57, which
 * is not a continuation byte: the sequence cannot occur inside a valid UTF-8 payload, so scanning
 * forward after damage rarely stops inside a payload (and the CRC rejects it when it does).
 */
import { crc32 } from 'node:zlib'

export const HEADER_BYTES = 20
export const MAGIC = Buffer.from([0xca, 0x57, 0x50, 0x01])
const MAGIC_U32 = MAGIC.readUInt32LE(0)

/** The whole record (header and payload) for `data`, ready for one `write`. */
export function encodeRecord(data: string, time: number): Buffer {
  const length = Buffer.byteLength(data)
  const buf = Buffer.allocUnsafe(HEADER_BYTES + length)
  MAGIC.copy(buf, 0)
  buf.writeUInt32LE(length, 8)
  buf.writeDoubleLE(time, 12)
  buf.write(data, HEADER_BYTES, 'utf8')
  buf.writeUInt32LE(checksum(buf, 0, length), 4)
  return buf
}

function checksum(buf: Buffer, at: number, length: number): number {
  return crc32(buf.subarray(at + 8, at + HEADER_BYTES + length))
}

/** The header's claim at `at` (magic and length only), or -1 when it is not a record start. */
export function claimedLength(buf: Buffer, at: number): number {
  if (buf.readUInt32LE(at) !== MAGIC_U32) return -1
  return buf.readUInt32LE(at + 8)
}

/** The header's checked part (length and time), copied out to be checksummed without a view. */
const CHECKED_HEADER = Buffer.alloc(HEADER_BYTES - 8)

/** Whether the record at `at` in `buf`, whose payload is `payload` (a view of `buf`), is intact. */
export function isIntact(buf: Buffer, at: number, payload: Buffer): boolean {
  buf.copy(CHECKED_HEADER, 0, at + 8, at + HEADER_BYTES)
  return buf.readUInt32LE(at + 4) === crc32(payload, crc32(CHECKED_HEADER))
}

export function recordTime(buf: Buffer, at: number): number {
  return buf.readDoubleLE(at + 12)
}
