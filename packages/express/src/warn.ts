/**
 * Process warnings of `@watchpost/express`, each emitted at most once per instance and never thrown
 * into the caller. Codes are never reused (fastify `lib/warnings.js`):
 * - `WATCHPOST_W301`: the adapter itself failed on a request (the request went on untouched);
 * - `WATCHPOST_W302`: the app's `wp.cors()` origin function threw (the origin was refused);
 * - `WATCHPOST_W303`: recording a rate-limit refusal failed (the limiter's answer was sent anyway).
 */
export type WarningCode = 'WATCHPOST_W301' | 'WATCHPOST_W302' | 'WATCHPOST_W303'

export type Warn = (code: WarningCode, message: string, err: unknown) => void

export function createWarnOnce(): Warn {
  const seen = new Set<WarningCode>()
  return (code, message, err) => {
    if (seen.has(code)) return
    seen.add(code)
    try {
      const cause = err instanceof Error ? err.message : String(err)
      process.emitWarning(`@watchpost/express: ${message}: ${cause}`, { code })
    } catch {}
  }
}
