/**
 * The typed event API: `api.authn.loginFail({ userId, reason })`. Prototypes are built once from the
 * catalogue at start-up; a request-scoped API is one small object holding its context, so creating
 * one per request costs an allocation, not 80 closures.
 */
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

export interface EventApiFactory {
  /** An API whose events carry `ctx` (or no request context at all when `undefined`). */
  forContext(ctx: RequestContext | undefined): EventApi
  /** An API that looks its context up on each call (AsyncLocalStorage), for code without the request. */
  dynamic(current: () => RequestContext | undefined): EventApi
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
  }
}
