/**
 * Where the middleware keeps a request's context: in `res.locals`, the per-request object Express
 * creates (with a null prototype, so adding a key changes no object shape), under core's symbol and
 * not enumerable (`res.render` spreads `res.locals` into the template's options). Not on `req`:
 * Express swaps every request's prototype and a property added after that costs ≈ 70,000
 * instructions per request; with a WeakMap, GC work grew instead (docs/performance.md).
 * A request Express has not initialised (no `res.locals`) falls back to core's property store.
 *
 * The middleware and the response observer hold the response and read `res.locals` from it: each
 * read of a property of Express's request or response is a V8 runtime lookup (≈ 1,800
 * instructions), and going through `req.res` would be two.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RequestContext } from '@watchpost/core'
import { type ContextStore, kContext, propertyStore } from '@watchpost/core/sdk'

export type Locals = Record<symbol, RequestContext | undefined>

/** `res.locals` when Express initialised the response, else `undefined`. */
export function localsOf(res: ServerResponse | undefined): Locals | undefined {
  const locals = (res as { locals?: unknown } | undefined)?.locals
  return typeof locals === 'object' && locals !== null ? (locals as Locals) : undefined
}

/** The context kept for `req`, given its response's locals (`localsOf(res)`). */
export function storedContext(locals: Locals | undefined, req: IncomingMessage): RequestContext | undefined {
  return locals === undefined ? propertyStore.get(req) : locals[kContext]
}

/** Keeps the context where `storedContext` reads it. */
export function storeContext(
  locals: Locals | undefined,
  req: IncomingMessage,
  context: RequestContext,
): void {
  if (locals === undefined) propertyStore.set(req, context)
  else Object.defineProperty(locals, kContext, { value: context, configurable: true, writable: true })
}

/** Core's store for the paths that hold only the request (`req.watchpost`, the JWT verifier). */
export const localsStore: ContextStore = {
  get: (req) => storedContext(localsOf((req as { res?: ServerResponse }).res), req),
  set: (req, context) => storeContext(localsOf((req as { res?: ServerResponse }).res), req, context),
}
