/**
 * `compileRedactor` normalises the options once at start-up and builds every matcher then, so each
 * call on the request path is a closure over precompiled state (pino `lib/redaction.js`).
 */
import { WatchpostTypeError } from '../errors.js'
import { maskCardNumbers } from './card-numbers.js'
import { createHasher, truncateIp } from './hashing.js'
import { createHeaderFilter, DEFAULT_HEADER_ALLOWLIST } from './headers.js'
import { clampLength, MAX_STRING_LENGTH, sanitiseSlow, sanitiseString } from './sanitise-string.js'
import { createValueSanitiser, MAX_KEY_LENGTH } from './sanitise-value.js'
import { compileSensitiveKeys } from './sensitive-keys.js'
import type { RedactionOptions, Redactor } from './types.js'
import { createUrlRedactor } from './url.js'

export const DEFAULT_REDACTION_OPTIONS: Readonly<RedactionOptions> = Object.freeze({
  hashKey: undefined,
  hashUserIds: false,
  hashIps: false,
  truncateIps: false,
  sensitiveKeys: Object.freeze([] as string[]),
  headerAllowlist: DEFAULT_HEADER_ALLOWLIST,
  redactCardNumbers: true,
  maxStringLength: 8192,
  maxDepth: 8,
  maxKeys: 100,
})

const MAX_DEPTH_LIMIT = 64
const MAX_KEYS_LIMIT = 10_000
/** Bound of ids and addresses: longer values are junk or attacks, and would bloat every row. */
const MAX_ID_LENGTH = 256
const MAX_IP_LENGTH = 64
/** What `ip()` returns when truncation is on but the value is not an IP address. */
export const INVALID_IP_PLACEHOLDER = '[InvalidIp]'
/** Extra input kept past the bound so a card number straddling the cut is still seen whole. */
const CARD_SLACK = 64

function fail(message: string): never {
  throw new WatchpostTypeError('ERR_WATCHPOST_REDACTION_OPTIONS_INVALID', message)
}

function boolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') fail(`${name} must be a boolean, got ${typeof value}`)
  return value
}

function integer(value: unknown, name: string, fallback: number, limit: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    fail(`${name} must be a positive integer, got ${String(value)}`)
  }
  return Math.min(value, limit)
}

function strings(value: unknown, name: string, fallback: readonly string[]): readonly string[] {
  if (value === undefined) return fallback
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    fail(`${name} must be an array of strings`)
  }
  return Object.freeze([...(value as string[])])
}

/**
 * Normalise the options (defaults for what is missing, numbers clamped to their ceilings:
 * `maxStringLength` ≤ 65536, `maxDepth` ≤ 64, `maxKeys` ≤ 10000) and compile the redactor. Throws a
 * `TypeError` for misuse (wrong types, an empty `hashKey`); the compiled methods never throw.
 */
export function compileRedactor(options: Partial<RedactionOptions> = {}): Redactor {
  const o = options as Partial<Record<keyof RedactionOptions, unknown>>
  if (o.hashKey !== undefined && (typeof o.hashKey !== 'string' || o.hashKey === '')) {
    fail('hashKey must be a non-empty string')
  }
  const normalised: RedactionOptions = {
    hashUserIds: boolean(o.hashUserIds, 'hashUserIds', DEFAULT_REDACTION_OPTIONS.hashUserIds),
    hashIps: boolean(o.hashIps, 'hashIps', DEFAULT_REDACTION_OPTIONS.hashIps),
    truncateIps: boolean(o.truncateIps, 'truncateIps', DEFAULT_REDACTION_OPTIONS.truncateIps),
    sensitiveKeys: strings(o.sensitiveKeys, 'sensitiveKeys', DEFAULT_REDACTION_OPTIONS.sensitiveKeys),
    headerAllowlist: strings(o.headerAllowlist, 'headerAllowlist', DEFAULT_REDACTION_OPTIONS.headerAllowlist),
    redactCardNumbers: boolean(o.redactCardNumbers, 'redactCardNumbers', true),
    maxStringLength: integer(o.maxStringLength, 'maxStringLength', 8192, MAX_STRING_LENGTH),
    maxDepth: integer(o.maxDepth, 'maxDepth', 8, MAX_DEPTH_LIMIT),
    maxKeys: integer(o.maxKeys, 'maxKeys', 100, MAX_KEYS_LIMIT),
  }
  const { hashUserIds, hashIps, truncateIps, redactCardNumbers, maxStringLength } = normalised

  const isSensitiveKey = compileSensitiveKeys(normalised.sensitiveKeys)
  const hash = createHasher(o.hashKey as string | undefined)

  const string = (value: string, maxLength?: number): string =>
    sanitiseString(value, maxLength === undefined ? maxStringLength : maxLength)

  const maskedText = (value: string, maxLength?: number): string => {
    if (typeof value !== 'string') return ''
    const max = maxLength === undefined ? maxStringLength : clampLength(maxLength)
    // Only the part that can reach the output is scanned for cards (each input code unit yields at
    // least one output unit); the slack catches a card straddling the cut.
    if (value.length <= max + CARD_SLACK) return sanitiseString(maskCardNumbers(value), max)
    const head = value.slice(0, max + CARD_SLACK)
    return sanitiseSlow(maskCardNumbers(head), max, value.length - head.length)
  }
  const text = redactCardNumbers ? maskedText : string

  const url = memoise(createUrlRedactor({ isSensitiveKey, redactCardNumbers, maxLength: maxStringLength }))

  const ip = (value: string): string => {
    if (typeof value !== 'string' || value === '') return ''
    let address = value
    if (truncateIps) address = truncateIp(value.trim()) ?? INVALID_IP_PLACEHOLDER
    if (hashIps) return hash(address)
    return sanitiseString(address, MAX_IP_LENGTH)
  }

  const headers = createHeaderFilter({
    allowlist: normalised.headerAllowlist,
    isSensitiveKey,
    url,
    ip: hashIps || truncateIps ? ip : undefined,
    maxLength: maxStringLength,
  })

  const value = createValueSanitiser({
    isSensitiveKey,
    text: (s) => text(s),
    key: (s) => sanitiseString(s, MAX_KEY_LENGTH),
    url: (s) => url(s),
    maxDepth: normalised.maxDepth,
    maxKeys: normalised.maxKeys,
  })

  // Each method catches on its own (no generic wrapper: rest arguments would allocate per call).
  // The compiled functions do not throw by design; the catch covers stack or memory exhaustion.
  const redactor: Redactor = {
    options: Object.freeze(normalised),
    isSensitiveKey: (key) => {
      try {
        return isSensitiveKey(key)
      } catch {
        return true
      }
    },
    string: (value, maxLength) => {
      try {
        return string(value, maxLength)
      } catch {
        return ''
      }
    },
    text: (value, maxLength) => {
      try {
        return text(value, maxLength)
      } catch {
        return ''
      }
    },
    value: (input) => value(input),
    headers: (input) => {
      try {
        return headers(input)
      } catch {
        return {}
      }
    },
    url: (input) => url(input),
    hash: (input) => {
      try {
        return hash(input)
      } catch {
        return ''
      }
    },
    userId: (id) => {
      try {
        if (typeof id !== 'string') return ''
        return hashUserIds ? hash(id) : sanitiseString(id, MAX_ID_LENGTH)
      } catch {
        return ''
      }
    },
    ip: (address) => {
      try {
        return ip(address)
      } catch {
        return ''
      }
    },
    sessionId: (id) => {
      try {
        return typeof id === 'string' ? hash(id) : ''
      } catch {
        return ''
      }
    },
  }
  return Object.freeze(redactor)
}

const MEMO_MAX_ENTRIES = 1024
const MEMO_MAX_INPUT = 512

/**
 * Request targets repeat (the same route, the same referer), and parsing a query costs about as much
 * as the rest of an event. A bounded memo of short inputs, cleared when full, makes the repeats a
 * Map lookup; long or one-off inputs (a scanner's random paths) just pay the parse.
 */
function memoise(fn: (input: string) => string): (input: string) => string {
  const memo = new Map<string, string>()
  return (input) => {
    const hit = memo.get(input)
    if (hit !== undefined) return hit
    const out = fn(input)
    if (typeof input === 'string' && input.length <= MEMO_MAX_INPUT) {
      if (memo.size >= MEMO_MAX_ENTRIES) memo.clear()
      memo.set(input, out)
    }
    return out
  }
}
