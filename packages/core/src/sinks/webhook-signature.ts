/**
 * The webhook signature (docs/webhook.md#signature), the scheme of Stripe's and Slack's webhooks:
 * `sha256=` + hex HMAC-SHA256(secret, `<unix seconds>.<raw body>`). Signing the timestamp with the
 * body lets a receiver refuse a captured request replayed later; the signing side and the checking
 * side live in one file so that they cannot drift apart.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

export const SIGNATURE_HEADER = 'x-watchpost-signature'
export const TIMESTAMP_HEADER = 'x-watchpost-timestamp'
export const SIGNATURE_PREFIX = 'sha256='

/** A receiver's default window: Stripe's and Slack's 5 minutes. */
const DEFAULT_TOLERANCE_SEC = 300
const TIMESTAMP = /^[0-9]{1,15}$/
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/

function digest(secret: string, timestamp: string, body: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest()
}

/** The `x-watchpost-signature` value of `body` sent at `timestamp` (unix seconds, as sent). */
export function signWebhookBody(secret: string, timestamp: string, body: string): string {
  return `${SIGNATURE_PREFIX}${digest(secret, timestamp, body).toString('hex')}`
}

export interface VerifyWebhookSignatureOptions {
  /** The sink's `secret`. */
  readonly secret: string
  /** The `x-watchpost-timestamp` header: unix seconds. */
  readonly timestamp: string | number | undefined
  /**
   * The request body exactly as received (raw bytes or their UTF-8 text) — not a re-serialisation
   * of the parsed JSON, which need not be byte-identical.
   */
  readonly body: string | Uint8Array
  /** The `x-watchpost-signature` header: `sha256=<64 hex digits>`. */
  readonly signature: string | undefined
  /** Largest difference, in seconds, between `timestamp` and now, either way; default 300. */
  readonly toleranceSec?: number
  /** The current time in milliseconds since the epoch (as `Date.now()`); for tests. */
  readonly now?: number
}

/**
 * For receivers: `true` when `signature` is the HMAC-SHA256 of `<timestamp>.<body>` under `secret`
 * and `timestamp` is within `toleranceSec` of now. A missing or malformed header is `false`, never
 * an exception. The digests are compared in constant time (`crypto.timingSafeEqual`).
 */
export function verifyWebhookSignature(options: VerifyWebhookSignatureOptions): boolean {
  const { secret, body, signature, toleranceSec = DEFAULT_TOLERANCE_SEC, now = Date.now() } = options
  if (typeof secret !== 'string' || secret === '') return false
  const timestamp = typeof options.timestamp === 'number' ? String(options.timestamp) : options.timestamp
  if (timestamp === undefined || !TIMESTAMP.test(timestamp)) return false
  if (!(Math.abs(now / 1000 - Number(timestamp)) <= toleranceSec)) return false
  const match = typeof signature === 'string' ? SIGNATURE.exec(signature.trim()) : null
  if (match === null) return false
  const given = Buffer.from(match[1] as string, 'hex')
  return timingSafeEqual(given, digest(secret, timestamp, body))
}
