/**
 * Classifies a JWT verification error into a reason, by code (never by message: messages change
 * between versions), for the verifiers apps use: jose (`ERR_JWT_*`, `ERR_JWS_*`, `ERR_JWKS_*`),
 * `@fastify/jwt` (`FST_JWT_*`, wrapping fast-jwt's `FAST_JWT_*`), and `express-jwt`
 * (`UnauthorizedError` with `code`, wrapping jsonwebtoken's errors by `name`). Unknown errors are
 * `other`. None of them names the refused algorithm: for `alg_not_allowed` it comes from the token
 * the verifier (verify.ts) was given, else the jwt detector reads it from the request's bearer
 * token. jsonwebtoken's refusal of an algorithm has no code (only a message), so express-jwt's is
 * `other`.
 */
import type { JwtFailReason, JwtFailureInfo } from '../detection/types.js'
import { refusedAlgorithm } from './header.js'

const BY_CODE: ReadonlyMap<string, JwtFailReason> = new Map<string, JwtFailReason>([
  // jose
  ['ERR_JWT_EXPIRED', 'expired'],
  ['ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'bad_signature'],
  ['ERR_JOSE_ALG_NOT_ALLOWED', 'alg_not_allowed'],
  ['ERR_JWT_INVALID', 'malformed'],
  ['ERR_JWS_INVALID', 'malformed'],
  ['ERR_JOSE_NOT_SUPPORTED', 'malformed'],
  ['ERR_JWKS_NO_MATCHING_KEY', 'key_not_found'],
  ['ERR_JWKS_MULTIPLE_MATCHING_KEYS', 'key_not_found'],
  ['ERR_JWKS_TIMEOUT', 'jwks_unavailable'],
  ['ERR_JWKS_INVALID', 'jwks_unavailable'],
  // @fastify/jwt
  ['FST_JWT_NO_AUTHORIZATION_IN_HEADER', 'missing'],
  ['FST_JWT_NO_AUTHORIZATION_IN_COOKIE', 'missing'],
  ['FST_JWT_BAD_REQUEST', 'malformed'],
  ['FST_JWT_BAD_COOKIE_REQUEST', 'malformed'],
  ['FST_JWT_AUTHORIZATION_TOKEN_EXPIRED', 'expired'],
  ['FST_JWT_AUTHORIZATION_TOKEN_UNSIGNED', 'alg_not_allowed'],
  ['FST_JWT_AUTHORIZATION_TOKEN_UNTRUSTED', 'other'],
  // fast-jwt (the cause of FST_JWT_AUTHORIZATION_TOKEN_INVALID)
  ['FAST_JWT_EXPIRED', 'expired'],
  ['FAST_JWT_INACTIVE', 'not_yet_valid'],
  ['FAST_JWT_INVALID_SIGNATURE', 'bad_signature'],
  ['FAST_JWT_INVALID_ALGORITHM', 'alg_not_allowed'],
  ['FAST_JWT_MISSING_SIGNATURE', 'alg_not_allowed'],
  ['FAST_JWT_MALFORMED', 'malformed'],
  ['FAST_JWT_INVALID_TYPE', 'malformed'],
  ['FAST_JWT_INVALID_CLAIM_VALUE', 'claim_invalid'],
  ['FAST_JWT_MISSING_REQUIRED_CLAIM', 'claim_invalid'],
  ['FAST_JWT_INVALID_KEY', 'key_not_found'],
  // express-jwt
  ['credentials_required', 'missing'],
  ['credentials_bad_scheme', 'malformed'],
  ['credentials_bad_format', 'malformed'],
  ['revoked_token', 'other'],
])

/** jsonwebtoken's error classes, by `name`. */
const BY_NAME: ReadonlyMap<string, JwtFailReason> = new Map<string, JwtFailReason>([
  ['TokenExpiredError', 'expired'],
  ['NotBeforeError', 'not_yet_valid'],
])

type ErrorShape = { code?: unknown; name?: unknown; claim?: unknown; cause?: unknown; inner?: unknown }

export function classifyJwtError(err: unknown): JwtFailureInfo {
  const e = (err !== null && typeof err === 'object' ? err : {}) as ErrorShape
  const code = typeof e.code === 'string' ? e.code : undefined
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    const claim = typeof e.claim === 'string' ? e.claim.slice(0, 32) : undefined
    return { reason: claim === 'nbf' ? 'not_yet_valid' : 'claim_invalid', claim }
  }
  // Wrappers: @fastify/jwt's TOKEN_INVALID carries fast-jwt's error as `cause`; express-jwt's
  // `invalid_token` carries jsonwebtoken's as `inner`.
  if (code === 'FST_JWT_AUTHORIZATION_TOKEN_INVALID' || code === 'invalid_token') {
    const inner = e.cause ?? e.inner
    if (inner !== undefined && inner !== err) {
      const deeper = classifyJwtError(inner)
      if (deeper.reason !== 'other') return deeper
    }
    return { reason: 'other' }
  }
  const byCode = code === undefined ? undefined : BY_CODE.get(code)
  if (byCode === 'alg_not_allowed') return { reason: byCode, algorithm: refusedAlgorithm(err) }
  if (byCode !== undefined) return { reason: byCode }
  const byName = typeof e.name === 'string' ? BY_NAME.get(e.name) : undefined
  return { reason: byName ?? 'other' }
}
