import { randomFillSync } from 'node:crypto'

/**
 * Characters allowed in an incoming request id: `[A-Za-z0-9._:@/+=~-]`. Enough for UUIDs, ULIDs,
 * base64/base64url ids, AWS/Azure-style `Root=1-…` ids; no whitespace, quotes, `,`/`;` (header list
 * and parameter separators), `<>` or control characters, so the id is safe to log, to echo in a
 * response header and to put in a KQL string literal.
 */
const SAFE = new Uint8Array(128)
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:@/+=~-')
  SAFE[c.charCodeAt(0)] = 1

/**
 * Returns `value` when it is a single header value of 1…`maxLength` safe characters, else
 * `undefined`. An array (the header sent several times) is rejected rather than picking one: the
 * client disagrees with itself, and a proxy may have added one of them.
 */
export function validateRequestId(
  value: string | string[] | undefined,
  maxLength: number,
): string | undefined {
  if (typeof value !== 'string') return undefined
  const length = value.length
  if (length === 0 || length > maxLength) return undefined
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i)
    // Table lookup over a bounded string: linear, no regex engine on the hot path.
    if (code > 127 || SAFE[code] === 0) return undefined
  }
  return value
}

// 4 KiB of randomness per `randomFillSync` call, turned into hex once: 256 ids per native call, and
// each id is then a slice of that string (V8 makes a 32-character slice a view, not a copy). One
// `toString('hex')` per id cost ~450 instructions per request (test/bench/instructions.mjs); one
// `randomUUID()` + hyphen stripping ~400–700 ns (bench/context.bench.ts).
const POOL_SIZE = 4096
const ID_CHARS = 32
const pool = Buffer.allocUnsafe(POOL_SIZE)
let hex = ''
let offset = 0
const ALL_ZERO = '0'.repeat(ID_CHARS)

/**
 * A new correlation id: 32 lowercase hex (128 random bits), the shape of a W3C trace-id, so a
 * generated id and one taken from `traceparent` look alike in Sentinel. Never all zeros.
 */
export function generateCorrelationId(): string {
  for (;;) {
    if (offset === hex.length) {
      randomFillSync(pool)
      hex = pool.toString('hex')
      offset = 0
    }
    const id = hex.slice(offset, offset + ID_CHARS)
    offset += ID_CHARS
    // An all-zero trace-id is invalid (W3C Trace Context §3.2.2.3); odds 2^-128, checked anyway
    // (the first character settles it in 15 of 16 ids).
    if (id.charCodeAt(0) !== 48 || id !== ALL_ZERO) return id
  }
}
