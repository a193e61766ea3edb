/**
 * The typed event API: `api.authn.loginFail({ userId, reason })`. Prototypes are built once from the
 * catalogue at start-up; a request-scoped API is one small object holding its context, so creating
 * one per request costs an allocation, not 80 closures.
 */
import type { ContextState } from '../context/state.js'
import type { RequestContext } from '../context/types.js'
import type { SecurityEvent } from '../schema/fields.js'
import type { CompiledEvent, EventOptions } from './build.js'
import type { Catalogue, Namespace } from './catalogue/index.js'
import type { EventDef, ParamsOf } from './define.js'

/** Builds, redacts and emits one event; returns it, or `undefined` if it could not be recorded. */
export type EventMethod<D> =
  object extends ParamsOf<D>
    ? (params?: ParamsOf<D>, options?: EventOptions) => SecurityEvent | undefined
    : (params: ParamsOf<D>, options?: EventOptions) => SecurityEvent | undefined

export type EventApi = {
  readonly [N in Namespace]: { readonly [M in keyof Catalogue[N]]: EventMethod<Catalogue[N][M]> }
}

export type RecordFn = (
  compiled: CompiledEvent,
  params: Readonly<Record<string, unknown>> | undefined,
  context: RequestContext | undefined,
  options: EventOptions | undefined,
) => SecurityEvent | undefined

interface Scope {
  readonly ctx: RequestContext | undefined
}

/** What a request-scoped API adds to the event namespaces (`req.watchpost.setUser(...)`). */
export interface RequestHelpers {
  /** The request's context (correlation id, client address, route, user). */
  readonly context: RequestContext | undefined
  /** Records who the request is for: later events carry it as ActorUsername (hashed by option). */
  setUser(userId: string | undefined): void
  /** Records the request's session; it is always keyed-hashed before it reaches an event. */
  setSession(sessionId: string | undefined): void
  /** Records a JWT failure from the app's own verifier, classified by its error code. */
  reportJwtFailure(err: unknown): void
  /** Records that the app's rate limiter refused this request. */
  reportRateLimit(info?: { max?: number; windowSeconds?: number; banned?: boolean }): void
  /** Records that the app's CORS check refused `origin` for this request. */
  reportCorsRefusal(origin: string): void
}

export type RequestApi = EventApi & RequestHelpers

/** The detection side of the helpers, supplied by the instance. */
export interface HelperDeps {
  jwtFailure(ctx: RequestContext, err: unknown): void
  rateLimit(ctx: RequestContext, info: { max?: number; windowSeconds?: number; banned?: boolean }): void
  corsRefusal(ctx: RequestContext, origin: string): void
}

export interface EventApiFactory {
  /** An API whose events carry `ctx` (or no request context at all when `undefined`). */
  forContext(ctx: RequestContext | undefined): EventApi
  /** An API that looks its context up on each call (AsyncLocalStorage), for code without the request. */
  dynamic(current: () => RequestContext | undefined): EventApi
  /**
   * The request-scoped API (event namespaces plus the request helpers) for the helpers' detection
   * side: made once detection exists, which itself records through `forContext`.
   */
  requestApis(helpers: HelperDeps): (ctx: RequestContext) => RequestApi
}

export function createEventApiFactory(
  catalogue: Catalogue,
  compiledByName: ReadonlyMap<string, CompiledEvent>,
  record: RecordFn,
): EventApiFactory {
  const root: Record<string, unknown> = {}
  for (const [ns, methods] of Object.entries(catalogue)) {
    const proto: Record<string, unknown> = {}
    for (const [method, def] of Object.entries(methods as unknown as Record<string, EventDef>)) {
      const compiled = compiledByName.get(def.name)!
      proto[method] = function (this: Scope, params?: Record<string, unknown>, options?: EventOptions) {
        return record(compiled, params, this.ctx, options)
      }
    }
    Object.freeze(proto)
    Object.defineProperty(root, ns, {
      enumerable: true,
      get(this: Scope) {
        const scoped = Object.create(proto) as { ctx: RequestContext | undefined }
        scoped.ctx = this.ctx
        return scoped
      },
    })
  }
  Object.freeze(root)
  return {
    forContext(ctx) {
      const api = Object.create(root) as { ctx: RequestContext | undefined }
      api.ctx = ctx
      return api as unknown as EventApi
    },
    dynamic(current) {
      return Object.create(root, { ctx: { get: current } }) as EventApi
    },
    requestApis(helpers) {
      // The request-scoped API: one more prototype level with the helpers, built once.
      const requestRoot = Object.create(root, {
        context: {
          get(this: Scope) {
            return this.ctx
          },
        },
      }) as Record<string, unknown>
      Object.assign(requestRoot, {
        setUser(this: { ctx: RequestContext }, userId: string | undefined) {
          ;(this.ctx as ContextState).userId =
            userId === undefined || userId === null ? undefined : String(userId)
        },
        setSession(this: { ctx: RequestContext }, sessionId: string | undefined) {
          ;(this.ctx as ContextState).sessionId =
            sessionId === undefined || sessionId === null ? undefined : String(sessionId)
        },
        reportJwtFailure(this: { ctx: RequestContext }, err: unknown) {
          helpers.jwtFailure(this.ctx, err)
        },
        reportRateLimit(
          this: { ctx: RequestContext },
          info: { max?: number; windowSeconds?: number; banned?: boolean } = {},
        ) {
          helpers.rateLimit(this.ctx, info)
        },
        reportCorsRefusal(this: { ctx: RequestContext }, origin: string) {
          helpers.corsRefusal(this.ctx, String(origin))
        },
      } satisfies Omit<RequestHelpers, 'context'> & ThisType<{ ctx: RequestContext }>)
      Object.freeze(requestRoot)
      return (ctx) => {
        const api = Object.create(requestRoot) as { ctx: RequestContext }
        api.ctx = ctx
        return api as unknown as RequestApi
      }
    },
  }
}
