// How a payload is put on the wire: the encodings attackers (and their tools) use, and the places in
// a request a payload can sit. Pure functions; generate.mjs uses them to build the corpus.

const HEX = '0123456789ABCDEF'

function pctBytes(ch) {
  let out = ''
  for (const b of Buffer.from(ch, 'utf8')) out += `%${HEX[b >> 4]}${HEX[b & 15]}`
  return out
}

/** Percent-encodes every character not matched by `keep` (UTF-8 bytes, upper-case hex). */
function encodeExcept(s, keep) {
  let out = ''
  for (const ch of s) out += keep.test(ch) ? ch : pctBytes(ch)
  return out
}

/**
 * Makes a string legal as (part of) a request target for Node's HTTP client and parser: bytes
 * outside the printable ASCII range (space, controls, DEL, non-ASCII) are percent-encoded, the rest
 * is left exactly as it is, existing escapes included.
 */
export function wireSafe(s) {
  return encodeExcept(s, /[\x21-\x7e]/)
}

/** A header value Node's client accepts: printable ASCII and tabs; anything else percent-encoded. */
export function headerSafe(s) {
  return encodeExcept(s, /[\t\x20-\x7e]/)
}

// What a scripted client (python-requests' requote, curl --data-urlencode off) leaves as it is in a
// query value; `&`, `#`, `+`, `%`, quotes and angle brackets are encoded so that the value stays one.
const PLAIN_KEEP = /[A-Za-z0-9\-._~!$'()*,;:@/?=[\]]/
const PATH_KEEP = /[A-Za-z0-9\-._~!$'()*,;:@/=&+[\]]/

function pct(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => pctBytes(c))
}

/** Alternating case of the letters (`UnIoN SeLeCt`), the classic keyword-filter evasion. */
export function mixCase(s) {
  let i = 0
  let out = ''
  for (const ch of s) {
    if (/[a-z]/i.test(ch)) out += i++ % 2 === 0 ? ch.toUpperCase() : ch.toLowerCase()
    else out += ch
  }
  return out
}

const ENTITIES = {
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '(': '&#40;',
  ')': '&#41;',
  ':': '&colon;',
}

/** HTML character references for the characters filters look for. */
export function htmlEntities(s) {
  return s.replace(/[<>"'():]/g, (c) => ENTITIES[c])
}

/** `\uXXXX` escapes for everything but letters, digits and spaces, inside a JSON string. */
export function jsonEscaped(obj) {
  return JSON.stringify(obj).replace(
    /[^\x20-\x7e]|[<>&'$]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/**
 * Encodes `s` for a query value, query key, cookie or form field.
 * - `asis`: already URL-encoded by its source; only made wire-safe.
 * - `plain`: as scripted clients send it (quotes, parentheses, slashes raw).
 * - `pct`: every reserved character percent-encoded.
 * - `double`: percent-encoded twice (`%2527`).
 * - `plus`: percent-encoded with spaces as `+` (HTML forms).
 * - `case`: mixed case, then `plain`.
 * - `html`: HTML character references, then `pct`.
 */
export function encodeValue(s, mode) {
  switch (mode) {
    case 'asis':
      return wireSafe(s)
    case 'plain':
      return encodeExcept(s, PLAIN_KEEP)
    case 'pct':
      return pct(s)
    case 'double':
      return pct(pct(s))
    case 'plus':
      return pct(s).replace(/%20/g, '+')
    case 'case':
      return encodeExcept(mixCase(s), PLAIN_KEEP)
    case 'html':
      return pct(htmlEntities(s))
    default:
      throw new Error(`unknown encoding ${mode}`)
  }
}

/** Encodes `s` for a path segment (slashes kept, `?` and `#` encoded). */
export function encodePath(s, mode) {
  switch (mode) {
    case 'asis':
      return wireSafe(s).replace(/[?#]/g, (c) => pctBytes(c))
    case 'plain':
    case 'plus':
      return encodeExcept(s, PATH_KEEP)
    case 'case':
      return encodeExcept(mixCase(s), PATH_KEEP)
    default:
      return encodeValue(s, mode)
  }
}

/** Encodes a cookie value: `;`, `,`, `%` and non-printables escaped; the rest left as typed. */
export function encodeCookie(s, mode) {
  if (mode === 'plain' || mode === 'case') {
    const v = mode === 'case' ? mixCase(s) : s
    return encodeExcept(v, /[\x21-\x2b\x2d-\x3a\x3c-\x7e ]/).replace(/%(?![0-9A-F]{2})/g, '%25')
  }
  return encodeValue(s, mode)
}
