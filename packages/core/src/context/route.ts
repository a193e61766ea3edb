import type { RequestContext } from './types.js'

/**
 * The context's route: `ctx.route`, else asked of the adapter's `routeLookup` and kept. Asked only
 * when an event needs it: on Express each lookup reads two properties of the request (`route`,
 * `baseUrl`), each a V8 runtime lookup. A throwing lookup only means no route.
 */
export function resolveRoute(ctx: RequestContext): string | undefined {
  if (ctx.route === undefined && ctx.routeLookup !== undefined) {
    try {
      const route = ctx.routeLookup(ctx)
      if (typeof route === 'string') ctx.route = route
    } catch {
      return undefined
    }
  }
  return ctx.route
}
