/**
 * An input decoded the ways the app, or a component behind it, might decode it, before the rules
 * look at it: `+` as a space (query strings and forms), percent escapes as UTF-8 — twice, for a value
 * encoded twice —, `%uXXXX` (IIS), overlong UTF-8 sequences as the character they spell
 * (`%c0%ae` is `.` to a lenient decoder), HTML character references (`&lt;`, `&#x3c;`; twice when
 * `&amp;` hid them: `&amp;#x3c;`), then lower case. What was odd on the way is noted as anomaly
 * bits: a benign client never sends an overlong sequence or a `%u` escape.
 *
 * One pass per decoding step, each linear in the input; nothing is decoded that has no `%`, `&` or
 * `+`, so most inputs cost one scan and `toLowerCase`.
 */

export const ANOMALY_OVERLONG_UTF8 = 1
export const ANOMALY_PERCENT_U = 2
export const ANOMALY_BROKEN_ESCAPE = 4
/** Encoded twice or more, hiding a character that matters (`<`, a quote, `.`, `/`, `%`, CR/LF, …): `%253c`. */
export const ANOMALY_DOUBLE_ENCODED = 8
export const ANOMALY_INVALID_UTF8 = 16
/** CR or LF (decoded or raw): header injection / response splitting in a value. */
export const ANOMALY_CRLF = 32
/** NUL (decoded or raw): truncation tricks in file names. */
export const ANOMALY_NUL = 64
/** Another C0 control character than tab, CR and LF, or DEL. */
export const ANOMALY_CONTROL = 128
/** Encoded twice or more, whatever the character: no client does it to a path. */
export const ANOMALY_ENCODED_TWICE = 256
/**
 * A `%` that starts no escape beside escapes that decode: the escapes were written by hand (a
 * browser encodes its user's `%` as `%25`, and a form decoder that fails on a value keeps it whole,
 * valid escapes and all).
 */
export const ANOMALY_MIXED_ESCAPES = 512
/** A percent escape decoded to a character that matters (internal to the decoding passes). */
const ESCAPED_SPECIAL = 1 << 30
/** A percent escape decoded at all (internal to the decoding passes). */
const ESCAPED_ANY = 1 << 29
const INTERNAL = ESCAPED_SPECIAL | ESCAPED_ANY
export interface Normalised {
  /** The decoded, lower-cased text the rules match on. */
  readonly text: string
  /** ANOMALY_* bits. */
  readonly anomalies: number
}

const PERCENT = 0x25
const PLUS = 0x2b
const AMP = 0x26

/**
 * Decodes `raw`. `plusIsSpace` for query strings and form bodies, where `+` is a space.
 */
export function normalise(raw: string, plusIsSpace: boolean): Normalised {
  let anomalies = 0
  let text = raw
  let hasPercent = false
  let hasAmp = false
  let hasPlus = false
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i)
    if (c === PERCENT) hasPercent = true
    else if (c === AMP) hasAmp = true
    else if (c === PLUS) hasPlus = true
    else if (c < 0x20 || c === 0x7f) anomalies |= controlBit(c)
    // U+FFFD: a parser before us met invalid UTF-8 (a body decoded by the framework); no browser sends it.
    else if (c === 0xfffd) anomalies |= ANOMALY_INVALID_UTF8
  }
  if (hasPlus && plusIsSpace) text = text.replaceAll('+', ' ')
  if (hasPercent) {
    const once = percentDecode(text)
    text = once.text
    anomalies |= once.anomalies & ~INTERNAL
    if ((once.anomalies & (ANOMALY_BROKEN_ESCAPE | ESCAPED_ANY)) === (ANOMALY_BROKEN_ESCAPE | ESCAPED_ANY))
      anomalies |= ANOMALY_MIXED_ESCAPES
    // Encoded twice (`%253c`): what the first pass left is a valid escape again.
    if (hasValidEscape(text)) {
      const twice = percentDecode(text)
      text = twice.text
      anomalies |= (twice.anomalies & ~INTERNAL) | ANOMALY_ENCODED_TWICE
      if ((twice.anomalies & ESCAPED_SPECIAL) !== 0 || hasValidEscape(text))
        anomalies |= ANOMALY_DOUBLE_ENCODED
    }
  }
  if (hasAmp || text.includes('&')) {
    const once = decodeEntities(text)
    // References written for a page that decodes them once more (`jav&amp;#x09;ascript:`).
    text = once !== text && once.includes('&') && AMP_REFERENCE.test(text) ? decodeEntities(once) : once
  }
  if (text !== raw) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c < 0x20 || c === 0x7f) anomalies |= controlBit(c)
    }
  }
  return { text: text.toLowerCase(), anomalies }
}

/** ASCII characters whose escaping hides something: not letters, digits, space, `-`, `_`, `~`, `+`, `,`. */
const SPECIAL = new Uint8Array(128)
for (let c = 0; c < 128; c++) {
  const plain =
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    ' -_~+,'.includes(String.fromCharCode(c))
  SPECIAL[c] = plain ? 0 : 1
}

function controlBit(c: number): number {
  return c === 10 || c === 13 ? ANOMALY_CRLF : c === 0 ? ANOMALY_NUL : c === 9 ? 0 : ANOMALY_CONTROL
}

/** The value of a hex digit (either case), or -1 (NaN past the end of a string included). */
export function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  const l = c | 0x20
  if (l >= 97 && l <= 102) return l - 87
  return -1
}

function hasValidEscape(s: string): boolean {
  let i = s.indexOf('%')
  while (i !== -1 && i + 2 < s.length) {
    if (hexValue(s.charCodeAt(i + 1)) >= 0 && hexValue(s.charCodeAt(i + 2)) >= 0) return true
    if ((s.charCodeAt(i + 1) | 0x20) === 0x75 && hex4(s, i + 2) >= 0) return true
    i = s.indexOf('%', i + 1)
  }
  return false
}

/**
 * Percent escapes as UTF-8 bytes, decoded leniently: an overlong sequence gives the character it
 * spells, an invalid byte U+FFFD, a broken escape stays as it is; each noted.
 */
function percentDecode(s: string): Normalised {
  let anomalies = 0
  let out = ''
  let i = 0
  let copied = 0
  while (i < s.length) {
    if (s.charCodeAt(i) !== PERCENT) {
      i++
      continue
    }
    out += s.slice(copied, i)
    // %uXXXX
    if ((s.charCodeAt(i + 1) | 0x20) === 0x75) {
      const h = hex4(s, i + 2)
      if (h >= 0) {
        out += String.fromCharCode(h)
        anomalies |= ANOMALY_PERCENT_U | ESCAPED_SPECIAL | ESCAPED_ANY
        i += 6
        copied = i
        continue
      }
    }
    const b0 = byteAt(s, i)
    if (b0 < 0) {
      anomalies |= ANOMALY_BROKEN_ESCAPE
      out += '%'
      i++
      copied = i
      continue
    }
    i += 3
    anomalies |= ESCAPED_ANY
    if (b0 < 0x80) {
      out += String.fromCharCode(b0)
      if (SPECIAL[b0] === 1) anomalies |= ESCAPED_SPECIAL
    } else {
      // A UTF-8 sequence: its continuation bytes are escapes too.
      const need = b0 >= 0xf0 && b0 <= 0xf7 ? 3 : b0 >= 0xe0 ? 2 : b0 >= 0xc0 ? 1 : -1
      let cp = need === 3 ? b0 & 0x07 : need === 2 ? b0 & 0x0f : b0 & 0x1f
      let ok = need > 0
      for (let k = 0; ok && k < need; k++) {
        const b = byteAt(s, i)
        if (b < 0 || (b & 0xc0) !== 0x80) ok = false
        else {
          cp = (cp << 6) | (b & 0x3f)
          i += 3
        }
      }
      if (!ok) {
        anomalies |= ANOMALY_INVALID_UTF8
        out += '\ufffd'
      } else {
        const min = need === 1 ? 0x80 : need === 2 ? 0x800 : 0x10000
        if (cp < min) anomalies |= ANOMALY_OVERLONG_UTF8
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
          anomalies |= ANOMALY_INVALID_UTF8
          out += '\ufffd'
        } else out += String.fromCodePoint(cp)
      }
    }
    copied = i
  }
  return { text: copied === 0 ? s : out + s.slice(copied), anomalies }
}

/** The byte of the escape at `i` (`%XX`), or -1. */
function byteAt(s: string, i: number): number {
  if (s.charCodeAt(i) !== PERCENT) return -1
  const h = hexValue(s.charCodeAt(i + 1))
  const l = hexValue(s.charCodeAt(i + 2))
  return h < 0 || l < 0 ? -1 : (h << 4) | l
}

function hex4(s: string, i: number): number {
  let v = 0
  for (let k = 0; k < 4; k++) {
    const h = hexValue(s.charCodeAt(i + k))
    if (h < 0) return -1
    v = (v << 4) | h
  }
  return v
}

/** The character references attackers use to hide markup and script from filters. */
const NAMED: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  amp: '&',
  colon: ':',
  lpar: '(',
  rpar: ')',
  sol: '/',
  bsol: '\\',
  semi: ';',
  tab: '\t',
  newline: '\n',
  nbsp: ' ',
  grave: '`',
  equals: '=',
  excl: '!',
  num: '#',
  dollar: '$',
  percnt: '%',
  period: '.',
  comma: ',',
  lsqb: '[',
  rsqb: ']',
  lcub: '{',
  rcub: '}',
  lbrace: '{',
  rbrace: '}',
  verbar: '|',
}

const REFERENCE = /&(?:#(?:x([0-9a-f]{1,6})|([0-9]{1,7}))|([a-z]{2,8}));?/gi
/** `&amp;`: a reference that hides another one (`&amp;#x3c;`). */
const AMP_REFERENCE = /&amp;/i

/** Every regular expression of this file, for the ReDoS test. */
export const PATTERNS: readonly RegExp[] = [REFERENCE, AMP_REFERENCE]

function decodeEntities(s: string): string {
  return s.replace(
    REFERENCE,
    (match, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
      if (name !== undefined) return NAMED[name.toLowerCase()] ?? match
      const cp = hex !== undefined ? Number.parseInt(hex, 16) : Number.parseInt(dec as string, 10)
      return cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? match : String.fromCodePoint(cp)
    },
  )
}
