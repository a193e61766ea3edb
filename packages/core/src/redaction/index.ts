export { CARD_PLACEHOLDER, isLuhnValid, maskCardNumbers } from './card-numbers.js'
export { compileRedactor, DEFAULT_REDACTION_OPTIONS, INVALID_IP_PLACEHOLDER } from './compile.js'
export { createHasher, HASH_PREFIX, truncateIp } from './hashing.js'
export { DEFAULT_HEADER_ALLOWLIST, MAX_HEADER_LENGTH, REFUSED_HEADERS } from './headers.js'
export { MAX_STRING_LENGTH, sanitiseString, TRUNCATION_MARK } from './sanitise-string.js'
export {
  CIRCULAR_PLACEHOLDER,
  MAX_DEPTH_PLACEHOLDER,
  MAX_KEY_LENGTH,
  MORE_KEYS_KEY,
  UNREADABLE_PLACEHOLDER,
} from './sanitise-value.js'
export {
  compileSensitiveKeys,
  normaliseKey,
  REDACTED,
  SENSITIVE_EXACT,
  SENSITIVE_PARTS,
  SENSITIVE_SUFFIXES,
} from './sensitive-keys.js'
export type { JsonValue, RedactionOptions, Redactor } from './types.js'
