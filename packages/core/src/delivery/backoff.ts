/**
 * Exponential backoff with full jitter (delay uniform in [0, min(cap, base · 2^attempt)]), so that
 * many instances recovering from the same outage do not retry in step. A server's `Retry-After`
 * wins when it asks for longer, capped by `maxDelayMs` as well so that one bad header cannot park
 * delivery for hours.
 */
export interface BackoffOptions {
  /** First ceiling, ms; default 500. */
  readonly baseMs: number
  /** Largest wait, ms; default 60,000. */
  readonly maxDelayMs: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxDelayMs: 60_000 }

/** The wait before retry number `attempt` (0 for the first retry). `random` is for tests. */
export function backoffDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseMs * 2 ** Math.min(attempt, 30))
  const jittered = Math.floor(random() * ceiling)
  if (retryAfterMs === undefined) return jittered
  return Math.min(options.maxDelayMs, Math.max(retryAfterMs, jittered))
}
