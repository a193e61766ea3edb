/** A value that survives `JSON.stringify` unchanged: what `Redactor.value()` returns. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/** Options of the redactor. Normalised once by `compileRedactor`; see `docs/redaction.md`. */
export interface RedactionOptions {
  /**
   * HMAC-SHA256 key for `hash`, `sessionId` and, when enabled, user ids and IPs. When absent a random
   * per-process key is generated, so hashes are stable within one process only and differ across
   * restarts and instances. Never exposed on `Redactor.options`.
   */
  hashKey?: string | undefined
  /** Replace user ids by their keyed hash. Default `false`. */
  hashUserIds: boolean
  /** Replace IP addresses (client ip and IP-valued headers) by their keyed hash. Default `false`. */
  hashIps: boolean
  /** Zero the host part of IP addresses: IPv4 to its /24, IPv6 to its /48. Default `false`. */
  truncateIps: boolean
  /** Extra key names, added to the defaults; matched case-insensitively with separators ignored. */
  sensitiveKeys: readonly string[]
  /** Request headers that may be recorded. Sensitive ones (`authorization`, `cookie`, …) are refused. */
  headerAllowlist: readonly string[]
  /** Mask Luhn-valid card numbers in free text and values. Default `true`. */
  redactCardNumbers: boolean
  /** Bound of every string, in UTF-16 code units, truncation marker included. Default 8192, at most 65536. */
  maxStringLength: number
  /** Nesting bound of `value()` output; deeper containers become `'[MaxDepth]'`. Default 8, at most 64. */
  maxDepth: number
  /** Entries per object, items per array in `value()` output, summary included. Default 100, at most 10000. */
  maxKeys: number
}

/** Compiled once at start-up; every method is cheap and never throws. */
export interface Redactor {
  /** The normalised options, without `hashKey`. */
  readonly options: Readonly<RedactionOptions>
  /** Whether a key names a secret (default list plus `sensitiveKeys`). */
  isSensitiveKey(key: string): boolean
  /** Escape control characters, repair lone surrogates, bound the length. No card masking. */
  string(value: string, maxLength?: number): string
  /** `string()` plus card-number masking (when enabled): for free text coming from the app. */
  text(value: string, maxLength?: number): string
  /** Deep copy into a bounded, redacted `JsonValue`. */
  value(value: unknown): JsonValue
  /** Only the allowlisted headers, lowercase names, sanitised values; arrays joined with `, `. */
  headers(headers: Record<string, string | string[] | number | undefined>): Record<string, string>
  /** Path and query with sensitive query/matrix parameter values replaced, cards masked, bounded. */
  url(url: string): string
  /** `hmac:` + base64url(HMAC-SHA256(key, UTF-8 value)), 48 characters. */
  hash(value: string): string
  /** Hashed when `hashUserIds`, else sanitised and bounded. */
  userId(id: string): string
  /** Truncated and/or hashed per options, else sanitised and bounded. */
  ip(ip: string): string
  /** Always hashed. */
  sessionId(id: string): string
}
