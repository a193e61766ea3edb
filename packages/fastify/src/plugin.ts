/**
 * The Fastify plugin: observes the request lifecycle through hooks and hands framework-neutral
 * signals to @watchpost/core, where the detectors live. It never sets an error or not-found handler
 * and never changes a response (STYLE.md: observe, never take over).
 */
import { createWatchpost, observeClientErrors, type RequestApi, type RequestContext } from '@watchpost/core'
import type { FastifyPluginCallback, FastifyRequest } from 'fastify'
import { originCheck } from './origin-check.js'
import { kApi, kContext, kScope } from './symbols.js'
import type { FastifyWatchpost, WatchpostFastifyOptions, WatchpostRouteConfig } from './types.js'

/** The plugin's request slots, declared with decorateRequest. */
interface Slots {
  [kContext]: RequestContext | null
  [kApi]: RequestApi | null
}

interface RouteConfigCarrier {
  watchpost?: WatchpostRouteConfig
  [kScope]?: object
}

export const plugin: FastifyPluginCallback<WatchpostFastifyOptions> = (fastify, options, done) => {
  // Fastify adds its own register options (logLevel, prefix) to what the plugin receives.
  const {
    logLevel: _l,
    prefix: _p,
    runtime,
    ...watchpostOptions
  } = options as WatchpostFastifyOptions & Record<string, unknown>
  const instance = createWatchpost(watchpostOptions, runtime)
  const { detection } = instance
  const asyncContext = instance.config.correlation.asyncContext

  const contextOf = (request: { raw: FastifyRequest['raw'] }): RequestContext =>
    instance.openContext(request.raw)

  const api: FastifyWatchpost = {
    ...instance,
    rateLimitHooks: () => ({
      onExceeded: (request) => detection.rateLimitHit(contextOf(request), {}),
      onBanReach: (request) => detection.rateLimitHit(contextOf(request), { banned: true }),
    }),
    corsDelegator(allowed, corsOptions = {}) {
      const check = originCheck(allowed)
      return (request, callback) => {
        const origin = request.raw.headers.origin
        const ok = origin === undefined || check(origin)
        if (!ok) detection.corsCheck(contextOf(request), { origin: origin as string, allowed: false })
        callback(null, { ...corsOptions, origin: ok })
      }
    },
  }
  fastify.decorate('watchpost', api)
  // Declared up front so every request keeps one shape (fastify test/same-shape.test.js).
  fastify.decorateRequest(kContext, null as never)
  fastify.decorateRequest(kApi, null as never)
  // The request API is built on first use: most requests never record an event themselves
  // (avoids an allocation per request; test/bench/instructions.mjs).
  fastify.decorateRequest('watchpost', {
    getter(this: FastifyRequest & Slots) {
      const api = this[kApi]
      if (api !== null) return api
      const ctx = this[kContext]
      if (ctx === null) return null
      const created = instance.forRequest(ctx.request)
      this[kApi] = created
      return created
    },
    setter(this: FastifyRequest & Slots, value: RequestApi | null) {
      this[kApi] = value
    },
  } as never)

  // Route options are compiled once, here, not per request.
  fastify.addHook('onRoute', (route) => {
    const config = route.config as RouteConfigCarrier | undefined
    const own = config?.watchpost
    if (config !== undefined && own !== undefined)
      config[kScope] = detection.scopeFor(own.detectors, own.ignore === true)
  })

  const echoHeader = instance.config.correlation.responseHeader
  fastify.addHook('onRequest', (request, reply, next) => {
    // Without the response: the echo goes through Fastify's own reply headers, which Fastify hands
    // to writeHead whole; a header set on reply.raw makes Node merge every header one by one.
    const ctx = instance.openContext(request.raw)
    ;(request as FastifyRequest & Slots)[kContext] = ctx
    if (echoHeader !== false) reply.header(echoHeader, ctx.correlationId)
    const routeOptions = request.routeOptions as { url?: string; config?: RouteConfigCarrier } | undefined
    if (routeOptions?.url !== undefined) ctx.route = routeOptions.url
    const scope = routeOptions?.config?.[kScope]
    if (scope !== undefined) ctx.detection = scope
    detection.requestStart(ctx)
    if (asyncContext) instance.runInContext(ctx, next)
    else next()
  })

  // Body parser failures (FST_ERR_CTP_*) reach onError; the error itself is left to the app's handler.
  fastify.addHook('onError', (request, _reply, error, next) => {
    const ctx = (request as FastifyRequest & Slots)[kContext]
    if (ctx) detection.bodyError(ctx, isBareJsonError(error) ? FASTIFY_4_INVALID_JSON : error)
    next()
  })

  fastify.addHook('onResponse', (request, reply, next) => {
    const ctx = (request as FastifyRequest & Slots)[kContext]
    // The reply, not reply.raw: Fastify hands its headers to writeHead in one object, so Node's
    // response only knows headers set on it directly; reply.getHeader sees both.
    if (ctx) detection.responseFinish(ctx, reply)
    next()
  })

  // Requests Node's parser refuses never reach a hook. Fastify answers them itself
  // (its clientErrorHandler); this listener only records.
  const stopObserving = observeClientErrors(fastify.server, (info) => detection.clientError(info))

  fastify.addHook('onClose', async () => {
    stopObserving()
    await instance.close()
  })

  done()
}

/**
 * Fastify 4 reports invalid JSON as the parser's bare SyntaxError with `statusCode` 400; Fastify 5
 * names it `FST_ERR_CTP_INVALID_JSON_BODY`. Translated to the v5 code so core classifies both alike.
 */
const FASTIFY_4_INVALID_JSON = { code: 'FST_ERR_CTP_INVALID_JSON_BODY' }

function isBareJsonError(error: unknown): boolean {
  return (
    error instanceof SyntaxError &&
    (error as { statusCode?: unknown; code?: unknown }).statusCode === 400 &&
    !('code' in error)
  )
}
