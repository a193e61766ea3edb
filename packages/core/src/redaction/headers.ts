/**
 * Request headers are recorded by allowlist only (OWASP Logging Cheat Sheet: "data to exclude").
 * Names that carry credentials are refused even when allowlisted: the fixed `REFUSED_HEADERS` and
 * any name the sensitive-key matcher flags (`x-auth-token`, `x-csrf-token`, `x-api-key`, …).
 * URL-valued headers go through the URL redactor; IP-valued headers through the IP transform when
 * IPs are hashed or truncated.
 */
import { clampLength, sanitiseString } from './sanitise-string.js'

export const DEFAULT_HEADER_ALLOWLIST: readonly string[] = [
  'user-agent',
  'referer',
  'origin',
  'content-type',
  'content-length',
  'accept',
  'accept-language',
  'host',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-request-id',
  'x-correlation-id',
  'traceparent',
]

/** Never recorded, whatever the allowlist says. */
export const REFUSED_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'www-authenticate',
  'proxy-authenticate',
]

/** Headers holding a URL: their query strings may carry tokens. */
const URL_HEADERS = new Set(['referer', 'location', 'content-location'])
/** Headers holding client addresses, comma-separated. */
const IP_LIST_HEADERS = new Set([
  'x-forwarded-for',
  'x-real-ip',
  'x-client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'x-cluster-client-ip',
])
/** RFC 7230 `token`: a header name. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/
/** `for=` / `by=` nodes of RFC 7239 `Forwarded`: quoted, bracketed or bare, no nested quantifier. */
const FORWARDED_NODE = /\b(for|by)=(?:"\[?([^"\]]*)\]?(?::\d+)?"|([^;,\s"]*))/gi

/** Upper bound of one recorded header value. */
export const MAX_HEADER_LENGTH = 2048

export interface HeaderFilterOptions {
  readonly allowlist: readonly string[]
  readonly isSensitiveKey: (key: string) => boolean
  readonly url: (url: string, maxLength?: number) => string
  /** Applied to every address of IP-valued headers; `undefined` when IPs are recorded as is. */
  readonly ip: ((ip: string) => string) | undefined
  readonly maxLength: number
}

/** Whether a header name may be allowlisted (a valid token, not refused, not sensitive). */
export function isRecordableHeader(name: string, isSensitiveKey: (key: string) => boolean): boolean {
  return (
    HEADER_NAME.test(name) && name !== '__proto__' && !REFUSED_HEADERS.includes(name) && !isSensitiveKey(name)
  )
}

type HeaderValue = string | string[] | number | undefined

/** Compile the header filter; the returned function never throws. */
export function createHeaderFilter(
  options: HeaderFilterOptions,
): (headers: Record<string, HeaderValue>) => Record<string, string> {
  const max = Math.min(clampLength(options.maxLength), MAX_HEADER_LENGTH)
  const allowed = new Set<string>()
  for (const name of options.allowlist) {
    const lower = typeof name === 'string' ? name.toLowerCase() : ''
    if (isRecordableHeader(lower, options.isSensitiveKey)) allowed.add(lower)
  }
  const { url, ip } = options

  const render = (name: string, value: string): string => {
    if (URL_HEADERS.has(name)) return url(value, max)
    if (ip !== undefined && (IP_LIST_HEADERS.has(name) || name === 'forwarded')) {
      // Cap the input before splitting: nothing past the bound can be shown.
      const raw = value.length > max * 2 ? value.slice(0, max * 2) : value
      if (IP_LIST_HEADERS.has(name)) {
        return sanitiseString(
          raw
            .split(',')
            .map((part) => ip(part.trim()))
            .join(', '),
          max,
        )
      }
      const replaced = raw.replace(
        FORWARDED_NODE,
        (_m, key: string, quoted: string | undefined, bare: string | undefined) =>
          key + '="' + ip(quoted ?? bare ?? '') + '"',
      )
      return sanitiseString(replaced, max)
    }
    return sanitiseString(value, max)
  }

  return (headers: Record<string, HeaderValue>): Record<string, string> => {
    const out: Record<string, string> = {}
    try {
      if (headers === null || typeof headers !== 'object') return out
      for (const key of Object.keys(headers)) {
        const name = key.toLowerCase()
        if (!allowed.has(name)) continue
        const value = headers[key]
        let raw: string
        if (typeof value === 'string') raw = value
        else if (typeof value === 'number') raw = String(value)
        else if (Array.isArray(value)) raw = value.filter((v) => typeof v === 'string').join(', ')
        else continue
        out[name] = render(name, raw)
      }
    } catch {
      // A hostile headers object (throwing getter, Proxy): keep what was read so far.
    }
    return out
  }
}
