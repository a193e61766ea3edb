/**
 * `wp.cors(allowed, corsOptions)`: an options delegate for the `cors` package that makes the origin
 * decision itself, so a refusal is known where it happens and recorded (`malicious_cors`) instead of
 * being inferred from the response. The allow-list is compiled once, here.
 */
import type { IncomingMessage } from 'node:http'
import { WatchpostTypeError } from '@watchpost/core'
import { type AdapterCore, type AllowedOrigins, compileOriginCheck } from '@watchpost/core/sdk'
import type { CorsDelegate } from './types.js'

/**
 * The `origin` given to `cors` for a refused origin: a list that matches nothing. With it `cors`
 * answers exactly as `cors({ origin: [...] })` does for an origin not in the list (`Vary: Origin`,
 * no `Access-Control-Allow-Origin`, preflights still answered). `origin: false` would skip CORS
 * altogether and drop `Vary: Origin`, letting a shared cache serve the refusal to allowed origins.
 */
const REFUSED: never[] = []

export function createCorsDelegate<O extends object>(
  core: AdapterCore,
  allowed: AllowedOrigins,
  corsOptions: O | undefined,
): CorsDelegate<O> {
  const isAllowed = compileOriginCheck(allowed, (err) => core.warn('WATCHPOST_W302', { cause: err }))
  if (corsOptions !== undefined && (corsOptions === null || typeof corsOptions !== 'object'))
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_EXPRESS_CORS_OPTIONS_INVALID',
      'wp.cors(allowed, corsOptions): corsOptions must be an object',
    )
  if (corsOptions !== undefined && Object.hasOwn(corsOptions, 'origin'))
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_EXPRESS_CORS_OPTIONS_INVALID',
      'wp.cors(allowed, corsOptions): corsOptions.origin is decided by `allowed`; remove it',
    )
  // Built once: `cors` copies the options it is given, so sharing them across requests is safe.
  const allow = { ...(corsOptions as O), origin: true }
  const refuse = { ...(corsOptions as O), origin: REFUSED }

  return (req, callback) => {
    const origin = req.headers.origin
    // No Origin: not a cross-origin browser request. `cors` then only adds `Vary: Origin`.
    if (origin === undefined) return callback(null, allow)
    const ok = isAllowed(origin)
    // Core skips same-origin requests (browsers send Origin on same-origin POSTs).
    if (!ok) reportRefusal(core, req, origin)
    callback(null, ok ? allow : refuse)
  }
}

function reportRefusal(core: AdapterCore, req: IncomingMessage, origin: string): void {
  try {
    core.requestApi(core.open(req)).reportCorsRefusal(origin)
  } catch (err) {
    core.warn('WATCHPOST_W301', { what: 'recording a CORS refusal failed', cause: err })
  }
}
