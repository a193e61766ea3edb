/**
 * Request targets (`/path;matrix=1?query#fragment`, or absolute URLs such as a `Referer`). The value
 * of every parameter whose NAME is sensitive becomes `[REDACTED]`, the name kept: query parameters
 * (separated by `&` or `;`), matrix parameters in path segments (`/app;jsessionid=…`) and
 * query-like fragments (`#access_token=…`, the OAuth 2.0 implicit flow, RFC 6749 §4.2.2). Names
 * are percent-decoded for the check; malformed encoding is checked as written. Values are kept as
 * received (not decoded). Card numbers are masked in what remains, then everything is sanitised and
 * bounded.
 */
import { maskCardNumbers } from './card-numbers.js'
import { clampLength, sanitiseSlow, sanitiseString } from './sanitise-string.js'
import { normaliseKey, REDACTED, SENSITIVE_URL_PARAMS } from './sensitive-keys.js'

/** Extra input kept past the bound so a card number straddling the cut is still seen whole. */
const CARD_SLACK = 64

export interface UrlRedactorOptions {
  readonly isSensitiveKey: (key: string) => boolean
  readonly redactCardNumbers: boolean
  readonly maxLength: number
}

/** Decode a parameter name for the sensitivity check; as written when the encoding is malformed. */
function decodeName(name: string): string {
  if (name.indexOf('%') === -1 && name.indexOf('+') === -1) return name
  const spaced = name.replace(/\+/g, ' ')
  try {
    return decodeURIComponent(spaced)
  } catch {
    return spaced
  }
}

/** A sensitive key, or a name that is a credential in a URL's query string (`code`, `ticket`). */
function isSensitiveParam(name: string, isSensitiveKey: (key: string) => boolean): boolean {
  const decoded = decodeName(name)
  return isSensitiveKey(decoded) || SENSITIVE_URL_PARAMS.has(normaliseKey(decoded))
}

/** Redact sensitive `name=value` pairs of a parameter list split on `&` and `;`. */
function redactParams(params: string, isSensitiveKey: (key: string) => boolean): string {
  let out = ''
  let start = 0
  const n = params.length
  for (let i = 0; i <= n; i++) {
    const c = i < n ? params.charCodeAt(i) : -1
    if (c !== -1 && c !== 0x26 /* & */ && c !== 0x3b /* ; */) continue
    const pair = params.slice(start, i)
    const eq = pair.indexOf('=')
    out +=
      eq !== -1 && isSensitiveParam(pair.slice(0, eq), isSensitiveKey)
        ? pair.slice(0, eq + 1) + REDACTED
        : pair
    if (c !== -1) out += params[i]
    start = i + 1
  }
  return out
}

/** Matrix parameters: `/a;jsessionid=X/b` — each segment's `;name=value` pairs. */
function redactPath(path: string, isSensitiveKey: (key: string) => boolean): string {
  if (path.indexOf(';') === -1) return path
  return path
    .split('/')
    .map((segment) => {
      const semi = segment.indexOf(';')
      if (semi === -1) return segment
      return segment.slice(0, semi + 1) + redactParams(segment.slice(semi + 1), isSensitiveKey)
    })
    .join('/')
}

/** Compile the URL redactor; the returned function never throws. */
export function createUrlRedactor(options: UrlRedactorOptions): (url: string) => string {
  const { isSensitiveKey, redactCardNumbers } = options
  const defaultMax = clampLength(options.maxLength)

  const redact = (input: string, max: number): string => {
    // Only the part that can reach the output is inspected: each input code unit yields at least
    // one output unit, so nothing past `max` (+ slack for a straddling card) is ever shown.
    const limit = max + CARD_SLACK
    const url = input.length > limit ? input.slice(0, limit) : input
    const hiddenTail = input.length - url.length
    const hash = url.indexOf('#')
    const beforeHash = hash === -1 ? url : url.slice(0, hash)
    const question = beforeHash.indexOf('?')
    const path = question === -1 ? beforeHash : beforeHash.slice(0, question)
    let result = redactPath(path, isSensitiveKey)
    if (question !== -1) result += '?' + redactParams(beforeHash.slice(question + 1), isSensitiveKey)
    if (hash !== -1) {
      const fragment = url.slice(hash + 1)
      result += '#' + (fragment.indexOf('=') === -1 ? fragment : redactParams(fragment, isSensitiveKey))
    }
    if (redactCardNumbers) result = maskCardNumbers(result)
    return hiddenTail === 0 ? sanitiseString(result, max) : sanitiseSlow(result, max, hiddenTail)
  }

  return (url: string, maxLength?: number): string => {
    if (typeof url !== 'string') return ''
    const max = maxLength === undefined ? defaultMax : clampLength(maxLength)
    try {
      return redact(url, max)
    } catch {
      // Unreachable by design; a fixed placeholder cannot leak what the redaction missed.
      return REDACTED
    }
  }
}
