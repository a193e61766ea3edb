/**
 * One classification of HTTP outcomes for every destination (logs-ingestion-api.md §8,
 * client-behaviour.md §3): what is retried, what is split, what is kept and reported.
 */
import { DeliveryError, type FailureKind } from './types.js'

/** A header lookup that works for undici, `Headers` and the Azure pipeline's `HttpHeaders` alike. */
export type HeaderGetter = (name: string) => string | null | undefined

/**
 * Milliseconds to wait from `retry-after-ms`, `x-ms-retry-after-ms` (ms) or `Retry-After` (seconds
 * or an HTTP date), in that order; `undefined` when absent or unreadable. Never negative.
 */
export function retryAfterMs(get: HeaderGetter, now: number = Date.now()): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = get(name)
    if (value != null && value !== '') {
      const ms = Number(value)
      if (Number.isFinite(ms) && ms >= 0) return ms
    }
  }
  const value = get('retry-after')
  if (value == null || value === '') return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** The failure kind of an HTTP status that is not a success. */
export function kindOfStatus(status: number): FailureKind {
  if (status === 401 || status === 403) return 'auth'
  if (status === 404) return 'not_found'
  if (status === 413) return 'too_large'
  if (status === 408 || status === 429 || status >= 500) return 'retry'
  if (status >= 400) return 'rejected'
  // A redirect is not followed (it would resend the events elsewhere): the target is wrong, as with
  // a 404 — keep the data, report, retry.
  if (status >= 300) return 'not_found'
  // 1xx/2xx other than the expected success: the request did not land; resend.
  return 'retry'
}

/** The `DeliveryError` for a response with status `status`. */
export function statusError(
  status: number,
  message: string,
  get: HeaderGetter,
  cause?: unknown,
): DeliveryError {
  const after = retryAfterMs(get)
  return new DeliveryError(kindOfStatus(status), message, {
    status,
    ...(after === undefined ? {} : { retryAfterMs: after }),
    ...(cause === undefined ? {} : { cause }),
  })
}

const KINDS: ReadonlySet<string> = new Set<FailureKind>([
  'retry',
  'auth',
  'not_found',
  'too_large',
  'rejected',
])

/**
 * Any thrown value as a `DeliveryError`: network errors, timeouts and unknown failures are `retry`.
 * Recognised by shape as well as by class: a destination package may have been given its own copy
 * of core (two installs, or a loader that instantiates a module twice), and its errors must still
 * be classified.
 */
export function toDeliveryError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err
  const e = err as { name?: unknown; kind?: unknown } | null
  if (e?.name === 'DeliveryError' && typeof e.kind === 'string' && KINDS.has(e.kind))
    return e as DeliveryError
  const message = err instanceof Error ? err.message : String(err)
  return new DeliveryError('retry', message, { cause: err })
}
