/**
 * `watchpost(options)`: the Express middleware and its handle. It translates Express's lifecycle
 * into core signals and holds no detection logic: the first middleware opens the
 * request context and signals `requestStart`; the response's end signals `responseFinish`; the
 * error middleware signals body-parser errors and passes every error on. It never replaces a
 * handler of Express or the app and never changes a response.
 *
 * It adds no property to Express's request: Express 5 swaps the prototype of every request, and a
 * property added after that cost ≈ 70,000 instructions per request (V8 migrating maps; measured with
 * test/bench/instructions.mjs, docs/performance.md). So contexts live in `res.locals` (store.ts),
 * `req.watchpost` is a getter on the app's request prototype. Every read of a property of Express's
 * request or response is a V8 runtime lookup (≈ 1,800 instructions: the objects get new hidden
 * classes on every request), so the path reads as few as it can (6–7 per request): `res.locals`
 * from the response it holds, the headers once through the context, the route only when an event
 * is built; and responses are observed through Node's diagnostics channel (responses.ts), not
 * `res.on()`.
 */
import type { Server } from 'node:http'
import type { CreateRuntime, RequestContext, RouteOptions, WatchpostOptions } from '@watchpost/core'
import { WatchpostTypeError } from '@watchpost/core'
import { createAdapterCore, observeClientErrors } from '@watchpost/core/sdk'
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express'
import { createCorsDelegate } from './cors.js'
import { createRateLimitHandler } from './rate-limit.js'
import { type ResponseObserver, watchResponses } from './responses.js'
import { routeOf } from './route.js'
import { localsOf, localsStore, storeContext, storedContext } from './store.js'
import type { WatchpostMiddleware } from './types.js'

export function watchpost(options?: WatchpostOptions, runtime?: CreateRuntime): WatchpostMiddleware {
  const core = createAdapterCore(options, runtime, {
    name: '@watchpost/express',
    contextStore: localsStore,
    routeOf,
  })
  const instance = core.watchpost
  const detection = core.signals
  const failed = (what: string, cause: unknown) => core.warn('WATCHPOST_W301', { what, cause })
  const observed = new WeakSet<Server>()

  function observe(server: Server): void {
    if (observed.has(server)) return
    observed.add(server)
    observeClientErrors(server, (info) => detection.clientError(info))
  }

  // Each response this middleware opened, once sent (responses.ts). The server is taken from Node's
  // message, not read from the request. The route is not read here either: the context asks
  // `routeOf` only when an event needs it.
  const observer: ResponseObserver = {
    finished(ctx, req, res, server) {
      try {
        if (!observed.has(server) && typeof server?.prependListener === 'function') observe(server)
        // The body as Express's body parser left it (`undefined` without one), for the injection detector.
        detection.responseFinish(ctx, res, (req as { body?: unknown }).body)
      } catch (err) {
        failed('observing a response failed', err)
      }
    },
  }
  const stopWatching = watchResponses(observer)

  const asyncContext = instance.config.correlation.asyncContext

  // `req.watchpost`, defined once on each app's request prototype (Express sets it on every request;
  // a mounted sub-app has its own). Made on each read, like Fastify's. Assigning it still works: the
  // setter gives that request its own value.
  const apiPrototypes = new WeakSet<object>()
  let lastPrototype: object | null = null // the one app's prototype, in the common case
  function defineRequestApi(prototype: object): void {
    lastPrototype = prototype
    if (apiPrototypes.has(prototype)) return
    apiPrototypes.add(prototype)
    if (Object.hasOwn(prototype, 'watchpost')) return
    Object.defineProperty(prototype, 'watchpost', {
      configurable: true,
      get(this: Request) {
        return core.requestApi(core.open(this))
      },
      set(this: Request, value: unknown) {
        Object.defineProperty(this, 'watchpost', {
          value,
          writable: true,
          configurable: true,
          enumerable: true,
        })
      },
    })
  }

  /** Opens and observes the request; `undefined` when another mount already did, or opening failed. */
  function open(req: Request, res: Response): RequestContext | undefined {
    try {
      const locals = localsOf(res)
      // Mounted twice (app and router): the first one observes, the second only passes on.
      if (storedContext(locals, req) !== undefined) return undefined
      const ctx = core.create(req, res, observer)
      storeContext(locals, req, ctx)
      const prototype = Object.getPrototypeOf(req) as object | null
      if (prototype !== lastPrototype && prototype !== null) defineRequestApi(prototype)
      detection.requestStart(ctx)
      return ctx
    } catch (err) {
      failed('opening a request failed; the request went on unobserved', err)
      return undefined
    }
  }

  const rules = core.rules

  const middleware = function watchpostMiddleware(req: Request, res: Response, next: NextFunction) {
    const ctx = open(req, res)
    // Outside open's try: an error thrown downstream belongs to Express, not to us.
    if (ctx === undefined) return next()
    const go = asyncContext ? () => core.runInContext(ctx, next) : next
    if (!rules.gates || rules.quiet()) return go()
    const refusal = core.refusal(ctx)
    if (refusal === undefined) return go()
    if (refusal.action === 'delay') {
      setTimeout(go, refusal.delayMs)
      return
    }
    res.status(refusal.status).set(refusal.headers).json(refusal.body)
  }

  const errors = (): ErrorRequestHandler =>
    function watchpostErrors(err: unknown, req: Request, _res: Response, next: NextFunction) {
      try {
        const ctx = core.open(req)
        pinRoute(ctx)
        detection.bodyError(ctx, err)
      } catch (e) {
        failed('recording an error failed', e)
      }
      next(err)
    }

  const route = (routeOptions?: RouteOptions): RequestHandler => {
    const scope = detection.compileRouteOptions(routeOptions ?? {}, 'wp.route(options)')
    return function watchpostRoute(req: Request, _res: Response, next: NextFunction) {
      const ctx = core.stored(req)
      if (ctx !== undefined) {
        detection.useRouteScope(ctx, scope)
        pinRoute(ctx)
      }
      next()
    }
  }

  return Object.assign(middleware, {
    instance,
    errors,
    route,
    rateLimitHandler: ((handler) =>
      createRateLimitHandler(core, handler)) as WatchpostMiddleware['rateLimitHandler'],
    cors: ((allowed, corsOptions) =>
      createCorsDelegate(core, allowed, corsOptions)) as WatchpostMiddleware['cors'],
    observe(server: Server) {
      if (server === null || typeof server !== 'object' || typeof server.prependListener !== 'function')
        throw new WatchpostTypeError('ERR_WATCHPOST_EXPRESS_SERVER_INVALID', undefined)
      observe(server)
    },
    close: (deadlineMs?: number) => {
      stopWatching()
      return instance.close(deadlineMs)
    },
  }) satisfies WatchpostMiddleware
}

/**
 * Reads the request's route while Express still names it right: `req.baseUrl` is reset once the
 * request leaves a mounted router, so a read at the response's end could miss the mount path. The
 * context keeps the first route it reads.
 */
function pinRoute(ctx: RequestContext): void {
  void ctx.route
}
