/**
 * Which keys name secrets. A key is normalised once — lowercased, every character other than `a-z`
 * and `0-9` removed — so `X-API-Key`, `api_key` and `apiKey` are all `apikey`. It is sensitive when
 * the normalised form equals one of `SENSITIVE_EXACT` (short names that would give false positives
 * as substrings: `pin` in `shipping`, `pan` in `company`, `ssn` in `classname`) or the user's extra
 * keys, contains one of `SENSITIVE_PARTS`, or ends with one of `SENSITIVE_SUFFIXES`.
 */

/** What the value of a sensitive key (or query parameter) becomes. */
export const REDACTED = '[REDACTED]'

/** Matched when the normalised key equals one of these. */
export const SENSITIVE_EXACT: readonly string[] = [
  'pass',
  'pwd',
  'auth',
  'bearer',
  'jwt',
  'sid',
  'sessid',
  'connectsid',
  'sig',
  'cc',
  'ccn',
  'ccnum',
  'pan',
  'ssn',
  'otp',
  'pin',
  'mfacode',
]

/**
 * Matched, in URLs only, when a query parameter's normalised name equals one of these: names that
 * carry a credential in a redirect's query string but are ordinary keys elsewhere (an error's `code`).
 * The OAuth 2.0 authorization code (RFC 6749 §4.1.2), a CAS service ticket.
 */
export const SENSITIVE_URL_PARAMS: ReadonlySet<string> = new Set(['code', 'ticket'])

/** Matched when the normalised key contains one of these. */
export const SENSITIVE_PARTS: readonly string[] = [
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'token',
  'csrf',
  'xsrf',
  'apikey',
  'accesskey',
  'privatekey',
  'signingkey',
  'encryptionkey',
  'authorization',
  'authentication',
  'cookie',
  'session',
  'phpsessid',
  'credential',
  'signature',
  'cardnumber',
  'cardnum',
  'cardno',
  'creditcard',
  'ccnumber',
  'securitycode',
  'cardverification',
  'socialsecurity',
  'otpcode',
  'cvv',
  'cvc',
  // OAuth / OIDC / SAML: code_verifier (RFC 7636), client_assertion (RFC 7523), oauth_verifier
  // (OAuth 1.0a), SAMLResponse / SAMLRequest / SAMLart (SAML 2.0 bindings). id_token, access_token,
  // refresh_token and client_secret are caught by `token` and `secret`.
  'codeverifier',
  'assertion',
  'verifier',
  'samlresponse',
  'samlrequest',
  'samlart',
]

/** Matched when the normalised key ends with one of these (`userSsn`, `connect.sid`, `cardPin`). */
export const SENSITIVE_SUFFIXES: readonly string[] = ['ssn', 'sid', 'otp', 'pin']

const NOT_ALNUM = /[^a-z0-9]+/g

/** Lowercase and drop every non-alphanumeric character. Linear (one character class, `+`). */
export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(NOT_ALNUM, '')
}

/**
 * Every literal is `[a-z0-9]+`, so nothing needs escaping and there is no quantifier at all: the
 * match is O(key length × total literal length), never catastrophic backtracking.
 */
function literalMatcher(parts: readonly string[], suffixes: readonly string[]): RegExp {
  return new RegExp(parts.join('|') + '|(?:' + suffixes.join('|') + ')$')
}

/** Keys longer than this are checked but not cached, so the cache holds small strings only. */
const CACHEABLE_KEY_LENGTH = 64
/** Bound of the memo; cleared when full (keys repeat heavily across events, so it refills quickly). */
const CACHE_SIZE = 2048

/**
 * Compile the matcher once with the user's extra keys (normalised the same way, matched exactly).
 * The result is memoised per key: a repeated key costs one Map lookup.
 */
export function compileSensitiveKeys(extraKeys: readonly string[]): (key: string) => boolean {
  const exact = new Set<string>(SENSITIVE_EXACT)
  for (const key of extraKeys) {
    const norm = normaliseKey(key)
    if (norm !== '') exact.add(norm)
  }
  const parts = literalMatcher(SENSITIVE_PARTS, SENSITIVE_SUFFIXES)
  const cache = new Map<string, boolean>()

  const check = (key: string): boolean => {
    const norm = normaliseKey(key)
    return norm !== '' && (exact.has(norm) || parts.test(norm))
  }

  return (key: string): boolean => {
    if (typeof key !== 'string') return false
    if (key.length > CACHEABLE_KEY_LENGTH) return check(key)
    const hit = cache.get(key)
    if (hit !== undefined) return hit
    const result = check(key)
    if (cache.size >= CACHE_SIZE) cache.clear()
    cache.set(key, result)
    return result
  }
}
