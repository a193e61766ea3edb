/**
 * ISO-8601 UTC timestamps (`2026-11-27T09:05:15.063Z`) without `Date#toISOString` on every event:
 * that call allocates a Date and costs about a microsecond here, half the request-path budget.
 * The part up to the seconds is cached and only the milliseconds are appended; the cache is
 * refreshed when the second changes. Output is identical to `new Date(ms).toISOString()` for
 * the years 0000-9999.
 */
let cachedSecond = Number.NaN
let cachedPrefix = ''

const MS = Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(3, '0')}Z`)

export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000)
  if (second !== cachedSecond) {
    cachedSecond = second
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20) // "YYYY-MM-DDTHH:MM:SS."
  }
  return cachedPrefix + MS[ms - second * 1000]!
}
