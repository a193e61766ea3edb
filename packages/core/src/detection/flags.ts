/**
 * Which kinds of event a request already recorded, as bits on its context, so that inference from
 * the response (a 401, a 429, a missing CORS header) does not report again what a detector or the
 * app already recorded. One mechanism for both: detectors mark as they record or aggregate, the
 * recorder marks from the event's name (`flagOf`) for events the app records itself — once
 * `req.watchpost.authn.loginFail()` ran, the 401 that follows is not reported again.
 */
import { type ContextState, kFlags } from '../context/state.js'
import type { RequestContext } from '../context/types.js'

export const FLAG_AUTH = 1
export const FLAG_CORS = 2
export const FLAG_RATE_LIMIT = 4
export const FLAG_BODY = 8
export const FLAG_NOT_FOUND = 16
/** The requestStart detectors ran for this request (an adapter may signal it from more than one place). */
export const FLAG_STARTED = 32
/** The request's method is not one the app serves: the protocol detector's event, not a 404 miss. */
export const FLAG_UNEXPECTED_METHOD = 64
/** A protocol violation was found in the request line or headers: the injection detector does not report its decoding anomalies again. */
export const FLAG_PROTOCOL = 128
/** The scanner-probe detector judged the request's path (it runs before the not-found detector). */
export const FLAG_PATH_JUDGED = 256
/** ... and recorded it as a scanner probe: the not-found detector counts it, and records it no more. */
export const FLAG_SCANNER_PROBE = 512

/** Whether `flag` is set on the request. */
export function flagged(ctx: RequestContext, flag: number): boolean {
  return ((ctx as ContextState)[kFlags] & flag) !== 0
}

/** Sets `flag` (or several, or-ed) on the request. */
export function mark(ctx: RequestContext, flag: number): void {
  ;(ctx as ContextState)[kFlags] |= flag
}

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

/** The flag bits an event sets on its request context (0 for most); compiled into each event once. */
export function flagOf(eventName: string): number {
  return FLAGS.get(eventName) ?? 0
}
