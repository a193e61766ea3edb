/**
 * W3C Trace Context level 1, §3.2 `traceparent` (https://www.w3.org/TR/trace-context-1/#traceparent-header).
 *
 *   traceparent = version "-" trace-id "-" parent-id "-" trace-flags   ; all HEXDIGLC
 *
 * Hand-written scanner over char codes: linear, no regex, no allocation before the header is known
 * to be valid.
 */

export interface Traceparent {
  /** 32 lowercase hex, not all zeros. */
  readonly traceId: string
  /** 16 lowercase hex, not all zeros. */
  readonly parentId: string
  /** The 8 trace-flags bits (bit 0 = sampled). */
  readonly flags: number
}

/** Length of a version-00 header: 2 + 1 + 32 + 1 + 16 + 1 + 2. */
const V00_LENGTH = 55
const DASH = 0x2d

/** Value of a HEXDIGLC char code (`0-9a-f`), or -1. Uppercase is invalid (§3.2.2.1 "HEXDIGLC"). */
function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30
  if (code >= 0x61 && code <= 0x66) return code - 0x57
  return -1
}

/**
 * `true` when `value[start, start + length)` is lowercase hex and not all zeros (§3.2.2.3 trace-id and
 * §3.2.2.4 parent-id: "All bytes as zero … is considered an invalid value").
 */
function isNonZeroHex(value: string, start: number, length: number): boolean {
  let nonZero = false
  for (let i = start; i < start + length; i++) {
    const v = hexValue(value.charCodeAt(i))
    if (v === -1) return false
    if (v !== 0) nonZero = true
  }
  return nonZero
}

/**
 * Parses a `traceparent` header value. Returns `undefined` for anything the spec says to ignore
 * (the caller then starts a new trace): a missing header, several header values, an invalid
 * version (`ff`), a wrong length, non-lowercase-hex fields, all-zero ids.
 *
 * A version above `00` is parsed as §3.2.4 says: at least 55 characters, and anything after the
 * flags must start with `-`. Version `00` must be exactly 55 characters.
 */
export function parseTraceparent(value: string | string[] | undefined): Traceparent | undefined {
  // Several `traceparent` headers are invalid (§3.2: "If … multiple traceparent headers … MUST
  // ignore"); Node joins duplicates with ", " which fails the length check below as well.
  if (typeof value !== 'string') return undefined
  const length = value.length
  if (length < V00_LENGTH) return undefined

  const v0 = hexValue(value.charCodeAt(0))
  const v1 = hexValue(value.charCodeAt(1))
  if (v0 === -1 || v1 === -1) return undefined
  const version = v0 * 16 + v1
  // §3.2.2.1: version ff is forbidden.
  if (version === 0xff) return undefined
  if (version === 0 ? length !== V00_LENGTH : length > V00_LENGTH && value.charCodeAt(V00_LENGTH) !== DASH) {
    return undefined
  }

  if (value.charCodeAt(2) !== DASH || value.charCodeAt(35) !== DASH || value.charCodeAt(52) !== DASH) {
    return undefined
  }
  if (!isNonZeroHex(value, 3, 32) || !isNonZeroHex(value, 36, 16)) return undefined

  const f0 = hexValue(value.charCodeAt(53))
  const f1 = hexValue(value.charCodeAt(54))
  if (f0 === -1 || f1 === -1) return undefined

  return { traceId: value.slice(3, 35), parentId: value.slice(36, 52), flags: f0 * 16 + f1 }
}
