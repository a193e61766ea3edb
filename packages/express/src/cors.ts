/**
 * `wp.cors(allowed, corsOptions)`: an options delegate for the `cors` package that makes the origin
 * decision itself, so a refusal is known where it happens and recorded (`malicious_cors`) instead of
 * being inferred from the response. The allow-list is compiled once, here.
 */
import type { IncomingMessage } from 'node:http'
import type { RequestApi, Watchpost } from '@watchpost/core'
import type { AllowedOrigins, CorsDelegate } from './types.js'
import type { Warn } from './warn.js'

/**
 * The `origin` given to `cors` for a refused origin: a list that matches nothing. With it `cors`
 * answers exactly as `cors({ origin: [...] })` does for an origin not in the list (`Vary: Origin`,
 * no `Access-Control-Allow-Origin`, preflights still answered). `origin: false` would skip CORS
 * altogether and drop `Vary: Origin`, letting a shared cache serve the refusal to allowed origins.
 */
const REFUSED: never[] = []

export function createCorsDelegate<O extends object>(
  instance: Watchpost,
  warn: Warn,
  allowed: AllowedOrigins,
  corsOptions: O | undefined,
): CorsDelegate<O> {
  const isAllowed = compileOriginCheck(allowed)
  if (corsOptions !== undefined && (corsOptions === null || typeof corsOptions !== 'object'))
    throw new TypeError('@watchpost/express: wp.cors(allowed, corsOptions): corsOptions must be an object')
  if (corsOptions !== undefined && Object.hasOwn(corsOptions, 'origin'))
    throw new TypeError(
      '@watchpost/express: wp.cors(allowed, corsOptions): corsOptions.origin is decided by `allowed`; remove it',
    )
  // Built once: `cors` copies the options it is given, so sharing them across requests is safe.
  const allow = { ...(corsOptions as O), origin: true }
  const refuse = { ...(corsOptions as O), origin: REFUSED }

  return (req, callback) => {
    const origin = req.headers.origin
    // No Origin: not a cross-origin browser request. `cors` then only adds `Vary: Origin`.
    if (origin === undefined) return callback(null, allow)
    let ok: boolean
    try {
      ok = Boolean(isAllowed(origin))
    } catch (err) {
      ok = false
      warn('WATCHPOST_W302', 'the wp.cors() origin function threw; the origin was refused', err)
    }
    // Browsers send Origin on same-origin POSTs too: those are not cross-origin requests.
    // Core skips same-origin requests (browsers send Origin on same-origin POSTs).
    if (!ok) reportRefusal(instance, warn, req, origin)
    callback(null, ok ? allow : refuse)
  }
}

function reportRefusal(instance: Watchpost, warn: Warn, req: IncomingMessage, origin: string): void {
  try {
    const api = (req as IncomingMessage & { watchpost?: RequestApi }).watchpost ?? instance.forRequest(req)
    api.reportCorsRefusal(origin)
  } catch (err) {
    warn('WATCHPOST_W301', 'recording a CORS refusal failed', err)
  }
}

function compileOriginCheck(allowed: AllowedOrigins): (origin: string) => boolean {
  if (typeof allowed === 'function') return allowed
  const list: ReadonlyArray<unknown> = Array.isArray(allowed) ? allowed : [allowed]
  const exact = new Set<string>()
  const patterns: RegExp[] = []
  for (const item of list) {
    if (typeof item === 'string') exact.add(item)
    // `g`/`y` make `test()` stateful (lastIndex): a second request with the same origin would fail.
    else if (item instanceof RegExp) patterns.push(new RegExp(item.source, item.flags.replace(/[gy]/g, '')))
    else
      throw new TypeError(
        `@watchpost/express: wp.cors(allowed): expected origins as strings or RegExps, or a function; got ${typeof item}`,
      )
  }
  if (patterns.length === 0) return (origin) => exact.has(origin)
  return (origin) => exact.has(origin) || patterns.some((re) => re.test(origin))
}

/** `https://shop.example:8443` vs Host `shop.example:8443`. `null` and junk are cross-origin. */
