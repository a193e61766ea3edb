import type { IncomingMessage } from 'node:http'
import type { Request } from 'express'

/**
 * The matched route of a request (`/api/users/:id`), or `undefined` before one matched: core's
 * `routeOf` for Express. Express has no hook for "a route matched": `req.route` is set once one
 * did, with a path relative to its router (`req.baseUrl`). The context asks this when its route is
 * first read; the adapter reads it where the answer is still right (`wp.route()`, `wp.errors()`, the
 * rate-limit handler).
 */
export function routeOf(req: IncomingMessage): string | undefined {
  const r = req as Request
  const path = (r.route as { path?: unknown } | undefined)?.path
  return typeof path === 'string' ? (r.baseUrl ?? '') + path : undefined
}
