/**
 * String sanitisation: every string Watchpost records passes through here. Control characters are
 * escaped visibly (log injection, CWE-117), lone UTF-16 surrogates become U+FFFD (they cannot be
 * encoded as UTF-8, RFC 3629 §3), and the result is bounded in UTF-16 code units, truncation
 * marker included, without splitting a surrogate pair.
 */

/** Hard ceiling of any recorded string: the Log Analytics field limit is 64 KB. */
export const MAX_STRING_LENGTH = 65536

/** First character of the truncation marker: `…[truncated 12345 chars]`. */
export const TRUNCATION_MARK = '\u2026'

/**
 * One character class, no quantifier: a single linear pass that allocates nothing. Matches C0, DEL,
 * C1, U+2028/U+2029 and any surrogate (valid pairs are then kept by the slow path).
 */
const NEEDS_WORK = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]/

const HEX = '0123456789abcdef'

function escapeCode(code: number): string {
  switch (code) {
    case 0x0a:
      return '\\n'
    case 0x0d:
      return '\\r'
    case 0x09:
      return '\\t'
    default:
      return (
        '\\u' + HEX[(code >> 12) & 15]! + HEX[(code >> 8) & 15]! + HEX[(code >> 4) & 15]! + HEX[code & 15]!
      )
  }
}

function marker(dropped: number): string {
  return TRUNCATION_MARK + '[truncated ' + dropped + ' chars]'
}

/** Clamp a caller's bound to an integer in `[0, MAX_STRING_LENGTH]`; NaN and negatives give 0. */
export function clampLength(maxLength: number): number {
  if (!(maxLength > 0)) return 0
  return maxLength >= MAX_STRING_LENGTH ? MAX_STRING_LENGTH : Math.floor(maxLength)
}

/**
 * Escape control characters (`\n`, `\r`, `\t`, others as `\u00XX`; also U+2028/U+2029), replace lone
 * surrogates by U+FFFD and bound the result to `maxLength` code units (at most 65536), truncation
 * marker included. When the marker does not fit in `maxLength` the result is cut without it.
 * Non-strings give `''`. Never throws.
 */
export function sanitiseString(value: string, maxLength: number): string {
  if (typeof value !== 'string') return ''
  const max = clampLength(maxLength)
  // Fast path: the common short clean string is returned as is, no allocation.
  if (value.length <= max && !NEEDS_WORK.test(value)) return value
  return sanitiseSlow(value, max, 0)
}

/**
 * The general case. `hiddenTail` counts code units the caller already cut off the end of `value`
 * (the input was pre-sliced): the result then always carries a marker counting them.
 */
export function sanitiseSlow(value: string, max: number, hiddenTail: number): string {
  const n = value.length
  // Upper bound of the marker's length: the dropped count never exceeds n + hiddenTail.
  const budget = max - marker(n + hiddenTail).length
  let out = ''
  let outLen = 0
  let runStart = 0
  let cut: string | undefined
  let cutIndex = 0
  let i = 0
  while (i < n) {
    const c = value.charCodeAt(i)
    let width = 1
    let rep: string | undefined
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) {
      rep = escapeCode(c)
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < n ? value.charCodeAt(i + 1) : 0
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) width = 2
      else rep = '\ufffd'
    }
    const pieceLen = rep === undefined ? width : rep.length
    if (cut === undefined && outLen + pieceLen > budget) {
      cut = out + value.slice(runStart, i)
      cutIndex = i
    }
    if (outLen + pieceLen > max) {
      if (budget < 0) return out + value.slice(runStart, i)
      return cut + marker(n - cutIndex + hiddenTail)
    }
    if (rep !== undefined) {
      out += value.slice(runStart, i) + rep
      runStart = i + width
    }
    outLen += pieceLen
    i += width
  }
  out += value.slice(runStart)
  if (hiddenTail === 0) return out
  if (cut === undefined) return out + marker(hiddenTail)
  if (budget < 0) return out
  return cut + marker(n - cutIndex + hiddenTail)
}

/** Control characters and line separators, in runs: one space each run. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g

/**
 * `text` as one printable line for a person to read (a matched fragment, a response's first words):
 * control characters and line separators as spaces, runs of spaces as one, trimmed, at most `max`
 * characters (a cut text ends in `…`, counted). Linear: only the first `4 × max` characters are
 * looked at.
 */
export function printableLine(text: string, max: number): string {
  const head = text.length > max * 4 ? text.slice(0, max * 4) : text
  const clean = head.replace(UNPRINTABLE, ' ').replace(/ {2,}/g, ' ').trim()
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean
}
