/**
 * Events the app records itself that stand for what a detector would otherwise infer from the
 * response: once `req.watchpost.authn.loginFail()` ran, the 401 that follows is not reported again.
 */
import { FLAG_AUTH, FLAG_BODY, FLAG_CORS, FLAG_RATE_LIMIT } from './types.js'

const FLAGS: ReadonlyMap<string, number> = new Map([
  ['authn_login_fail', FLAG_AUTH],
  ['authn_login_fail_max', FLAG_AUTH],
  ['authn_mfa_fail', FLAG_AUTH],
  ['authn_jwt_fail', FLAG_AUTH],
  ['authn_unauthorized', FLAG_AUTH],
  ['authn_token_reuse', FLAG_AUTH],
  ['session_use_after_expire', FLAG_AUTH],
  ['excess_sessions_exceeded', FLAG_AUTH],
  ['authz_fail', FLAG_AUTH],
  ['malicious_direct_reference', FLAG_AUTH],
  ['malicious_csrf', FLAG_AUTH],
  ['malicious_cors', FLAG_CORS],
  ['excess_rate_limit_exceeded', FLAG_RATE_LIMIT],
  ['input_validation_malformed_body', FLAG_BODY],
])

/** The flag bits an event sets on its request context (0 for most). */
export function flagOf(eventName: string): number {
  return FLAGS.get(eventName) ?? 0
}
