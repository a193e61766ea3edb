/**
 * The Fastify plugin: observes the request lifecycle through hooks and hands framework-neutral
 * signals to @watchpost/core, where the detectors live. It never sets an error or not-found handler
 * and never changes a response.
 */

import { parse as parseDuration } from '@lukeed/ms'
import type { RequestContext } from '@watchpost/core'
import {
  type AdapterCore,
  compileOriginCheck,
  createAdapterCore,
  observeClientErrors,
  type RouteScope,
} from '@watchpost/core/sdk'
import type { FastifyPluginCallback, FastifyRequest } from 'fastify'
import { rawStore } from './store.js'
import { kContext, kScope } from './symbols.js'
import type { FastifyWatchpost, WatchpostFastifyOptions, WatchpostRouteConfig } from './types.js'
import { watchUnrouted } from './unrouted.js'

/** The plugin's request slot, declared with decorateRequest. */
interface Slot {
  [kContext]: RequestContext | null
}

interface RouteConfigCarrier {
  watchpost?: WatchpostRouteConfig
  [kScope]?: RouteScope
}

export const plugin: FastifyPluginCallback<WatchpostFastifyOptions> = (fastify, options, done) => {
  // Fastify adds its own register options (logLevel, prefix) to what the plugin receives.
  const {
    logLevel: _l,
    prefix: _p,
    runtime,
    ...watchpostOptions
  } = options as WatchpostFastifyOptions & Record<string, unknown>
  let core: AdapterCore
  try {
    // Runtime diagnostics go to the app's own log unless the app names another logger.
    const withLogger = { ...runtime, logger: runtime?.logger ?? fastify.log }
    core = createAdapterCore(watchpostOptions, withLogger, {
      name: '@watchpost/fastify',
      contextStore: rawStore,
      routeOf,
    })
  } catch (err) {
    // Through the plugin API, so that `await app.register(watchpost, options)` rejects with it.
    done(err as Error)
    return
  }
  const instance = core.watchpost
  const detection = core.signals
  const asyncContext = instance.config.correlation.asyncContext

  // Route options are compiled once, in onRoute, not per request. Only when some route has its own
  // options does a request read `routeOptions` (Fastify builds that object on every read).
  let routeScopes = false
  const echoHeader = instance.config.correlation.responseHeader

  /**
   * The request's context, opened on first need and told which Fastify request it belongs to. It is
   * kept in the plugin's declared slot; one opened before the reply is sent (the app's own events,
   * a JWT check, a body error) is also kept by Node request (store.ts), because code given only
   * `request.raw` (`createJwtVerifier()(request.raw)`) must find the same one. One opened at
   * onSend, the common case, is kept in the slot alone.
   */
  function contextOf(request: Pick<FastifyRequest, 'raw'>, sending = false): RequestContext {
    const slot = request as FastifyRequest & Slot
    const known = slot[kContext]
    if (known !== null) return known
    const onRaw = core.stored(request.raw)
    const ctx =
      onRaw ??
      (sending ? core.create(request.raw, undefined, request) : core.open(request.raw, undefined, request))
    slot[kContext] = ctx
    if (routeScopes) {
      const scope = (slot.routeOptions?.config as RouteConfigCarrier | undefined)?.[kScope]
      if (scope !== undefined) detection.useRouteScope(ctx, scope)
    }
    return ctx
  }

  const api: FastifyWatchpost = {
    ...instance,
    rateLimitHooks(limiterOptions) {
      // The limiter's own numbers, when given here: @fastify/rate-limit's hooks carry none, and it
      // sends no header naming its window.
      const limits = limitsOf(limiterOptions)
      const own = limiterOptions as LimiterHooks | undefined
      return {
        ...limiterOptions,
        onExceeded(request: Pick<FastifyRequest, 'raw'>, key: string) {
          detection.rateLimitHit(contextOf(request), limits)
          callSafely(core, 'onExceeded', own?.onExceeded, request, key)
        },
        onBanReach(request: Pick<FastifyRequest, 'raw'>, key: string) {
          detection.rateLimitHit(contextOf(request), { ...limits, banned: true })
          callSafely(core, 'onBanReach', own?.onBanReach, request, key)
        },
      } as never
    },
    corsDelegator(allowed, corsOptions = {}) {
      const check = compileOriginCheck(allowed, (err) => core.warn('WATCHPOST_W201', { cause: err }))
      return (request, callback) => {
        const origin = request.raw.headers.origin
        const ok = origin === undefined || check(origin)
        if (!ok) detection.corsCheck(contextOf(request), { origin: origin as string, allowed: false })
        callback(null, { ...corsOptions, origin: ok })
      }
    },
  }
  fastify.decorate('watchpost', api)
  // One declared slot (fastify test/same-shape.test.js): each value Fastify's request constructor
  // sets for a decoration is a megamorphic keyed store (~800 instructions), still cheaper than a
  // property on Node's request (core's default context store). `watchpost` is a getter on the prototype,
  // free per request; the request API, a one-field object, is made on each read.
  fastify.decorateRequest(kContext, null as never)
  fastify.decorateRequest('watchpost', {
    getter(this: FastifyRequest) {
      return core.requestApi(contextOf(this))
    },
  } as never)

  // Route options are checked and compiled as the route is declared: a typo fails at start-up.
  fastify.addHook('onRoute', (route) => {
    const config = route.config as RouteConfigCarrier | undefined
    const own = config?.watchpost
    if (config !== undefined && own !== undefined) {
      const where = `route ${String(route.method)} ${route.url}: config.watchpost`
      config[kScope] = detection.compileRouteOptions(own, where)
      routeScopes = true
    }
  })

  // With an AsyncLocalStorage the rest of the request must run inside it, from the start.
  if (asyncContext) {
    fastify.addHook('onRequest', (request, _reply, next) => {
      core.runInContext(contextOf(request), next)
    })
  }

  // Rules in `protect` mode that block or delay sources: each request's source is looked up before
  // the app sees it (two map lookups while nothing is blocked). Without such a rule, no hook.
  const rules = core.rules
  if (rules.gates) {
    fastify.addHook('onRequest', (request, reply, next) => {
      if (rules.quiet()) return next()
      const refusal = core.refusal(contextOf(request))
      if (refusal === undefined) return next()
      if (refusal.action === 'delay') {
        setTimeout(next, refusal.delayMs)
        return
      }
      reply.code(refusal.status).headers(refusal.headers).send(refusal.body)
    })
  }

  // Body parser failures (FST_ERR_CTP_*) reach onError; the error itself is left to the app's handler.
  fastify.addHook('onError', (request, _reply, error, next) => {
    detection.bodyError(contextOf(request), isBareJsonError(error) ? FASTIFY_4_INVALID_JSON : error)
    next()
  })

  // One hook sees both ends of the request: the request as received and the reply about to be
  // written (final status and headers, the echo header still settable). Each hook Fastify runs per
  // request costs 600–3,800 instructions (test/bench/instructions.mjs), so onSend replaces an
  // onRequest + onResponse pair. Replies the app hijacks never reach it (README).
  fastify.addHook('onSend', (request, reply, _payload, next) => {
    const ctx = contextOf(request, true)
    // Through Fastify's own reply headers, handed to writeHead whole; a header set on reply.raw
    // makes Node merge every header one by one.
    if (echoHeader !== false) reply.header(echoHeader, ctx.correlationId)
    detection.requestStart(ctx)
    // A reply to a client already gone (its connection closed: Fastify still runs onSend, e.g. with
    // the 400 of an aborted upload or the app's late answer) is not observed: nobody receives its
    // status. As with Express, where Node never finishes such a response.
    // The reply, not reply.raw: Node's response only knows headers set on it directly.
    if (reply.raw.destroyed !== true) detection.responseFinish(ctx, reply, request.body)
    if (reply.statusCode === 400) unrouted.seen(reply.raw)
    next()
  })

  // The 400s Fastify writes before any hook (a target its router cannot decode): unrouted.ts.
  const unrouted = watchUnrouted(fastify.server, (req, res) => {
    const ctx = core.create(req)
    detection.requestStart(ctx)
    detection.responseFinish(ctx, res)
  })

  // Requests Node's parser refuses never reach a hook. Fastify answers them itself
  // (its clientErrorHandler); this listener only records.
  const stopObserving = observeClientErrors(fastify.server, (info) => detection.clientError(info))

  fastify.addHook('onClose', async () => {
    stopObserving()
    unrouted.stop()
    await instance.close()
  })

  done()
}

/**
 * The route pattern of a context's Fastify request (its owner), asked only when an event needs it:
 * Fastify builds `routeOptions` on each read.
 */
function routeOf(_raw: unknown, owner: unknown): string | undefined {
  return (owner as FastifyRequest | undefined)?.routeOptions?.url
}

interface LimiterHooks {
  onExceeded?: (request: unknown, key: string) => void
  onBanReach?: (request: unknown, key: string) => void
}

/**
 * `max` and `timeWindow` as @fastify/rate-limit reads them: numbers, or a duration string parsed with
 * the same parser it uses (`@lukeed/ms`: `'1 minute'`, `'30s'`). Functions of the request are left
 * out: the numbers then come from the response's headers (core's rate-limit detector).
 */
function limitsOf(options: object | undefined): { max?: number; windowSeconds?: number } {
  const out: { max?: number; windowSeconds?: number } = {}
  if (options === undefined || options === null) return out
  const { max, timeWindow } = options as { max?: unknown; timeWindow?: unknown }
  if (Number.isSafeInteger(max) && (max as number) >= 0) out.max = max as number
  const ms = typeof timeWindow === 'string' ? parseDuration(timeWindow) : timeWindow
  if (typeof ms === 'number' && Number.isFinite(ms) && ms > 0) out.windowSeconds = Math.ceil(ms / 1000)
  return out
}

/**
 * The app's own limiter hook, called after ours; its failure is the app's, but never breaks the
 * limiter: it is reported (`WATCHPOST_W202`, to the app's logger) and goes no further.
 */
function callSafely(
  core: AdapterCore,
  name: 'onExceeded' | 'onBanReach',
  hook: ((request: unknown, key: string) => void) | undefined,
  request: unknown,
  key: string,
) {
  if (typeof hook !== 'function') return
  try {
    hook(request, key)
  } catch (err) {
    core.warn('WATCHPOST_W202', { hook: name, cause: err })
  }
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
