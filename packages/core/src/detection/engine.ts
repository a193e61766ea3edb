/**
 * The detection engine: compiles the enabled detectors once (a disabled detector is not in the
 * lists, so it costs nothing), resolves each request's route overrides once, and dispatches the
 * adapters' signals. Every entry point is guarded: a detector bug is counted and reported once,
 * never thrown into the request.
 */
import type { DetectorsConfig, ResolvedConfig } from '../config/index.js'
import type { RequestContext } from '../context/types.js'
import { authFailureDetector } from '../detectors/auth-failure.js'
import { classifyBodyError } from '../detectors/body-errors.js'
import { corsDetector } from '../detectors/cors.js'
import { jwtDetector } from '../detectors/jwt.js'
import { malformedBodyDetector } from '../detectors/malformed-body.js'
import { notFoundDetector } from '../detectors/not-found.js'
import { protocolDetector } from '../detectors/protocol.js'
import { rateLimitDetector } from '../detectors/rate-limit.js'
import { compilePathPattern, type PathMatcher } from './route-pattern.js'
import {
  type ClientErrorInfo,
  type CorsCheckInfo,
  type DetectorDefinition,
  type DetectorDeps,
  type DetectorHandlers,
  FLAG_STARTED,
  type JwtFailureInfo,
  type RateLimitInfo,
  type ResponseLike,
} from './types.js'

/** Every detector, in the order their handlers run. Adding one touches its file and this list. */
export const DETECTORS = [
  protocolDetector,
  malformedBodyDetector,
  jwtDetector,
  authFailureDetector,
  rateLimitDetector,
  corsDetector,
  notFoundDetector,
] as const satisfies ReadonlyArray<DetectorDefinition<keyof DetectorsConfig, never>>

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

interface RouteScope {
  readonly matches: PathMatcher
  readonly methods: ReadonlySet<string> | undefined
  readonly scope: Scope
}

export type DetectorOverrides = {
  readonly [K in keyof DetectorsConfig]?: Partial<DetectorsConfig[K]>
}

export interface Detection {
  requestStart(ctx: RequestContext): void
  /** Reports a body parser error; returns whether it was one (by its code). */
  bodyError(ctx: RequestContext, err: unknown): boolean
  jwtFailure(ctx: RequestContext, info: JwtFailureInfo): void
  corsCheck(ctx: RequestContext, info: CorsCheckInfo): void
  rateLimitHit(ctx: RequestContext, info: RateLimitInfo): void
  responseFinish(ctx: RequestContext, res: ResponseLike): void
  clientError(info: ClientErrorInfo): void
  /** Detector options for one route (Fastify `config.watchpost`), compiled once at registration. */
  scopeFor(overrides: DetectorOverrides | undefined, ignore?: boolean): object
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
    for (const detector of DETECTORS) {
      const detectorOptions = options[detector.id]
      if (!detectorOptions.enabled) continue
      const handlers = (detector as DetectorDefinition<string, typeof detectorOptions>).create(
        detectorOptions,
        deps,
      )
      for (const [signal, handler] of Object.entries(handlers)) {
        lists[signal as Signal].push(handler.bind(handlers))
      }
    }
    const scope = { ignore: false, ...lists } as unknown as Scope
    scopes.push(scope)
    return scope
  }

  const base = compile(config.detectors as DetectorsConfig)
  const routes: RouteScope[] = config.routes.map((route) => ({
    matches: compilePathPattern(route.match),
    methods: route.methods === undefined ? undefined : new Set(route.methods),
    scope: route.ignore
      ? EMPTY
      : route.detectors === undefined
        ? base
        : compile(merge(config.detectors, route.detectors)),
  }))

  function scopeOf(ctx: RequestContext): Scope {
    const known = ctx.detection as Scope | undefined
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
    ctx.detection = scope
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

  // One explicit method per signal rather than a generic dispatch(signal, ...args): rest arguments
  // would allocate an array on every call of the request path.
  return {
    requestStart(ctx) {
      if ((ctx.flags & FLAG_STARTED) !== 0) return
      ctx.flags |= FLAG_STARTED
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
    jwtFailure(ctx, info) {
      try {
        for (const h of scopeOf(ctx).jwtFailure) h(ctx, info)
      } catch (err) {
        fail(err)
      }
    },
    corsCheck(ctx, info) {
      try {
        for (const h of scopeOf(ctx).corsCheck) h(ctx, info)
      } catch (err) {
        fail(err)
      }
    },
    rateLimitHit(ctx, info) {
      try {
        for (const h of scopeOf(ctx).rateLimitHit) h(ctx, info)
      } catch (err) {
        fail(err)
      }
    },
    responseFinish(ctx, res) {
      try {
        for (const h of scopeOf(ctx).responseFinish) h(ctx, res)
      } catch (err) {
        fail(err)
      }
    },
    clientError(info) {
      try {
        for (const h of base.clientError) h(info)
      } catch (err) {
        fail(err)
      }
    },
    scopeFor(overrides, ignore = false) {
      if (ignore) return EMPTY
      return overrides === undefined ? base : compile(merge(config.detectors, overrides))
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
