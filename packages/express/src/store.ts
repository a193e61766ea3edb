/**
 * Where the middleware keeps a request's context: in `res.locals`, the per-request object Express
 * creates (with a null prototype, so adding a key changes no object shape), under core's symbol and
 * not enumerable (`res.render` spreads `res.locals` into the template's options). Not on `req`:
 * Express swaps every request's prototype and a property added after that costs ≈ 70,000
 * instructions per request; with a WeakMap, GC work grew instead (docs/performance.md).
 * A request Express has not initialised (no `req.res.locals`) falls back to core's property store.
 */
import type { IncomingMessage } from 'node:http'
import { type ContextStore, kContext, propertyStore, type RequestContext } from '@watchpost/core'

type Locals = Record<symbol, RequestContext | undefined>

function localsOf(req: IncomingMessage): Locals | undefined {
  const locals = (req as IncomingMessage & { res?: { locals?: unknown } }).res?.locals
  return typeof locals === 'object' && locals !== null ? (locals as Locals) : undefined
}

export const localsStore: ContextStore = {
  // Where `set` put it: in the locals when the request has them, else on the request.
  get(req) {
    const locals = localsOf(req)
    return locals === undefined ? propertyStore.get(req) : locals[kContext]
  },
  set(req, context) {
    const locals = localsOf(req)
    if (locals === undefined) propertyStore.set(req, context)
    else Object.defineProperty(locals, kContext, { value: context, configurable: true, writable: true })
  },
}
