/**
 * The detection engine: compiles the enabled detectors once (a disabled detector is not in the
 * lists, so it costs nothing), resolves each request's detector scope once, and dispatches the
 * adapters' signals. Every entry point is guarded: a detector bug is counted and reported once,
 * never thrown into the request.
 *
 * A request's scope is the one its route's options chose (`useRouteOptions`, called by the adapter
 * when the framework names the route's options), else the first `routes` entry of the configuration
 * that matches its method and path, else the configured detectors.
 */
import type { DetectorsConfig, ResolvedConfig } from '../config/index.js'
import { type ContextState, kScope } from '../context/state.js'
import type { RequestContext } from '../context/types.js'
import { classifyBodyError } from './body-errors.js'
import { refusedByParser } from './client-error.js'
import { FLAG_STARTED, flagged, mark } from './flags.js'
import { checkRouteOptions, type RouteOptions } from './route-options.js'
import { compilePathPattern, type PathMatcher } from './route-pattern.js'
import type {
  ClientErrorInfo,
  CorsCheckInfo,
  DetectorDefinition,
  DetectorDeps,
  DetectorHandlers,
  JwtFailureInfo,
  RateLimitInfo,
  ResponseLike,
} from './types.js'

type Signal = Exclude<keyof DetectorHandlers, 'sweep'>

/** The handlers of the enabled detectors, grouped by signal. */
interface Scope {
  readonly ignore: boolean
  readonly requestStart: ReadonlyArray<NonNullable<DetectorHandlers['requestStart']>>
  readonly bodyError: ReadonlyArray<NonNullable<DetectorHandlers['bodyError']>>
  readonly jwtFailure: ReadonlyArray<NonNullable<DetectorHandlers['jwtFailure']>>
  readonly corsCheck: ReadonlyArray<NonNullable<DetectorHandlers['corsCheck']>>
  readonly rateLimitHit: ReadonlyArray<NonNullable<DetectorHandlers['rateLimitHit']>>
  readonly responseFinish: ReadonlyArray<NonNullable<DetectorHandlers['responseFinish']>>
  readonly clientError: ReadonlyArray<NonNullable<DetectorHandlers['clientError']>>
  readonly sweep: ReadonlyArray<(now: number) => void>
}

interface ConfiguredRoute {
  readonly matches: PathMatcher
  readonly methods: ReadonlySet<string> | undefined
  readonly scope: Scope
}

/** A route's compiled detector scope (`compileRouteOptions`); opaque to adapters. */
export interface RouteScope {
  readonly ignore: boolean
}

/** The signals adapters send, one method each (docs/architecture.md). */
export interface Signals {
  requestStart(ctx: RequestContext): void
  /** Reports a body parser error; returns whether it was one (by its code). */
  bodyError(ctx: RequestContext, err: unknown): boolean
  jwtFailure(ctx: RequestContext, info: JwtFailureInfo): void
  corsCheck(ctx: RequestContext, info: CorsCheckInfo): void
  rateLimitHit(ctx: RequestContext, info: RateLimitInfo): void
  /** The response was sent; `body` is the request body as the framework parsed it, if any. */
  responseFinish(ctx: RequestContext, res: ResponseLike, body?: unknown): void
  /** Reports a server's `clientError`; only the parser's refusals reach the detectors (`refusedByParser`). */
  clientError(info: ClientErrorInfo): void
}

export interface Detection extends Signals {
  /**
   * A route's own options (Fastify `config.watchpost`, Express `wp.route()`), validated and compiled
   * once, at registration.
   *
   * @throws WatchpostError `ERR_WATCHPOST_ROUTE_OPTIONS_INVALID`, naming `where`.
   */
  compileRouteOptions(options: RouteOptions | undefined, where: string): RouteScope
  /** Makes `scope` the request's detector scope (before its first signal, or from then on). */
  useRouteScope(ctx: RequestContext, scope: RouteScope): void
  /** Reports every window closed by `now` (the sweep timer calls it; tests may too). */
  sweep(now?: number): void
  /** Stops the sweep timer and reports every window still open. */
  close(): void
  /** Detector errors caught so far. */
  readonly errors: number
}

const EMPTY: Scope = {
  ignore: true,
  requestStart: [],
  bodyError: [],
  jwtFailure: [],
  corsCheck: [],
  rateLimitHit: [],
  responseFinish: [],
  clientError: [],
  sweep: [],
}

const SWEEP_INTERVAL_MS = 5_000

export function createDetection(
  config: Pick<ResolvedConfig, 'detectors' | 'routes'>,
  detectors: ReadonlyArray<DetectorDefinition<keyof DetectorsConfig, never>>,
  deps: DetectorDeps,
  onError: (err: unknown) => void,
): Detection {
  const scopes: Scope[] = []
  let errors = 0
  const fail = (err: unknown) => {
    errors++
    try {
      onError(err)
    } catch {}
  }

  function compile(options: DetectorsConfig): Scope {
    const lists: Record<Signal | 'sweep', Array<(...args: never[]) => void>> = {
      requestStart: [],
      bodyError: [],
      jwtFailure: [],
      corsCheck: [],
      rateLimitHit: [],
      responseFinish: [],
      clientError: [],
      sweep: [],
    }
    for (const detector of detectors) {
      const detectorOptions = options[detector.id]
      if (!detectorOptions.enabled) continue
      const handlers = (detector as DetectorDefinition<string, typeof detectorOptions>).create(
        detectorOptions,
        deps,
      )
      // Not bound to `handlers`: a bound function's call goes through a trampoline on every request
      // (handlers close over their state and use no `this`).
      for (const [signal, handler] of Object.entries(handlers)) lists[signal as Signal].push(handler)
    }
    const scope = { ignore: false, ...lists } as unknown as Scope
    scopes.push(scope)
    return scope
  }

  const base = compile(config.detectors as DetectorsConfig)
  const routes: ConfiguredRoute[] = config.routes.map((route) => ({
    matches: compilePathPattern(route.match),
    methods: route.methods === undefined ? undefined : new Set(route.methods),
    scope: route.ignore
      ? EMPTY
      : route.detectors === undefined
        ? base
        : compile(merge(config.detectors, route.detectors)),
  }))

  function scopeOf(ctx: RequestContext): Scope {
    const known = (ctx as ContextState)[kScope] as Scope | undefined
    if (known !== undefined) return known
    let scope = base
    if (routes.length > 0) {
      const q = ctx.url.indexOf('?')
      const path = q === -1 ? ctx.url : ctx.url.slice(0, q)
      for (const route of routes) {
        if ((route.methods === undefined || route.methods.has(ctx.method)) && route.matches(path)) {
          scope = route.scope
          break
        }
      }
    }
    ;(ctx as ContextState)[kScope] = scope
    return scope
  }

  const timer = setInterval(() => sweep(), SWEEP_INTERVAL_MS)
  timer.unref()

  function sweep(now = deps.now()): void {
    for (const scope of scopes) {
      for (const s of scope.sweep) {
        try {
          s(now)
        } catch (err) {
          fail(err)
        }
      }
    }
  }

  /** Runs each handler of a signal with its argument; a throwing detector is counted and reported. */
  function dispatch<A>(
    handlers: ReadonlyArray<(ctx: RequestContext, arg: A) => void>,
    ctx: RequestContext,
    arg: A,
  ): void {
    try {
      for (const h of handlers) h(ctx, arg)
    } catch (err) {
      fail(err)
    }
  }

  // One method per signal rather than a generic dispatch(signal, ...args): rest arguments would
  // allocate an array on every call of the request path.
  return {
    requestStart(ctx) {
      if (flagged(ctx, FLAG_STARTED)) return
      mark(ctx, FLAG_STARTED)
      try {
        for (const h of scopeOf(ctx).requestStart) h(ctx)
      } catch (err) {
        fail(err)
      }
    },
    bodyError(ctx, err) {
      try {
        const info = classifyBodyError(err)
        if (info === undefined) return false
        for (const h of scopeOf(ctx).bodyError) h(ctx, info)
        return true
      } catch (e) {
        fail(e)
        return false
      }
    },
    // The signals of attacks share one dispatch; requestStart and responseFinish, sent for every
    // request, keep call sites of their own, where V8 can inline their few detectors' handlers.
    jwtFailure: (ctx, info) => dispatch(scopeOf(ctx).jwtFailure, ctx, info),
    corsCheck: (ctx, info) => dispatch(scopeOf(ctx).corsCheck, ctx, info),
    rateLimitHit: (ctx, info) => dispatch(scopeOf(ctx).rateLimitHit, ctx, info),
    responseFinish(ctx, res, body) {
      try {
        const handlers = scopeOf(ctx).responseFinish
        if (handlers.length === 0) return
        const status = res.statusCode
        for (const h of handlers) h(ctx, status, res, body)
      } catch (err) {
        fail(err)
      }
    },
    clientError(info) {
      // Resets, socket errors, timeouts and requests the client ended half-way reach `clientError`
      // too: the detectors get only what the parser refused (client-error.ts).
      try {
        if (!refusedByParser(info.code) || base.clientError.length === 0) return
        const ctx = deps.refusedContext(info)
        for (const h of base.clientError) h(info, ctx)
      } catch (err) {
        fail(err)
      }
    },
    compileRouteOptions(options, where) {
      const { ignore, detectors: overrides } = checkRouteOptions(options, where)
      if (ignore) return EMPTY
      return overrides === undefined ? base : compile(merge(config.detectors, overrides))
    },
    useRouteScope(ctx, scope) {
      ;(ctx as ContextState)[kScope] = scope as Scope
    },
    sweep,
    close() {
      clearInterval(timer)
      sweep(Number.POSITIVE_INFINITY)
    },
    get errors() {
      return errors
    },
  }
}

/** Detector options with a route's overrides on top (one level: each detector's own options). */
function merge(base: ResolvedConfig['detectors'], overrides: object): DetectorsConfig {
  const out: Record<string, unknown> = {}
  for (const [id, options] of Object.entries(base)) {
    const override = (overrides as Record<string, object | undefined> | undefined)?.[id]
    out[id] = override === undefined ? options : { ...options, ...override }
  }
  return out as unknown as DetectorsConfig
}
