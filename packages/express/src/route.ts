import type { IncomingMessage } from 'node:http'
import type { RequestContext } from '@watchpost/core'
import type { Request } from 'express'

/**
 * Names the matched route on the context (`/api/users/:id`) unless the app already did. Express has
 * no hook for "a route matched": `req.route` is set once one did, with a path relative to its router
 * (`req.baseUrl`). So this runs where the adapter sees the request inside or after the route:
 * `wp.route()`, `wp.errors()`, the rate-limit handler. Everywhere else (the app's own events, the JWT
 * verifier, the detectors at the response's end) core asks the context's `routeLookup` when an event
 * is built (`resolveRoute`).
 */
export function syncRoute(ctx: RequestContext, req: Request): void {
  if (ctx.route === undefined) ctx.route = routeOf(req)
}

/**
 * The matched route of a request, or `undefined` before one matched. Also given to core as the
 * context's `routeLookup`, so events recorded inside a route handler carry the route too.
 */
export function routeOf(req: IncomingMessage): string | undefined {
  const r = req as Request
  const path = (r.route as { path?: unknown } | undefined)?.path
  return typeof path === 'string' ? (r.baseUrl ?? '') + path : undefined
}

/** `routeOf` for core's `routeLookup`, which hands over the context (whose request is Express's). */
export function routeOfContext(ctx: RequestContext): string | undefined {
  return routeOf(ctx.request)
}
