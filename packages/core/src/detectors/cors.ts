/**
 * Cross-origin requests from origins the app does not allow. Reported from the origin check of
 * `cors` / `@fastify/cors` when the adapter wraps it (`corsCheck`), else inferred from the
 * response: an `Origin` from another host and no `Access-Control-Allow-Origin` granting it (a
 * failed preflight included) — but only where the app has a CORS policy: `allowedOrigins` in the
 * options (then an origin in it is never reported), a wrapped origin check, or a response that
 * granted some cross-origin request. A cross-origin request to an app with no CORS policy at all is
 * ordinary web traffic, not a violation. Same-origin requests (browsers send `Origin` on same-origin
 * POSTs) are recognised by comparing the origin's host with the `Host` header. Capped per source.
 */

import type { DetectorsConfig } from '../config/index.js'
import { headerOf, headerText } from '../context/header-slots.js'
import type { RequestContext } from '../context/types.js'
import { capPerSource } from '../detection/capped-counter.js'
import { FLAG_CORS, flagged, mark } from '../detection/flags.js'
import type { DetectorDefinition } from '../detection/types.js'

export const corsDetector: DetectorDefinition<'cors', DetectorsConfig['cors']> = {
  id: 'cors',
  emits: ['malicious_cors'],
  create(options, { events, now, header }) {
    const originSlot = header('origin')
    const requestMethodSlot = header('access-control-request-method')
    const allowedOrigins = new Set(options.allowedOrigins)
    // Whether the app has shown a CORS policy; with an allowlist it is known from the start.
    let policy = allowedOrigins.size > 0
    const capped = capPerSource((held) =>
      events(undefined).malicious.cors(
        { origin: '(several)' },
        {
          ...held,
          ruleName: 'cors',
          message: `${held.count} more refused cross-origin requests from one source`,
        },
      ),
    )
    const report = (
      ctx: RequestContext,
      origin: string,
      preflight: boolean,
      statusCode: number | undefined,
    ) => {
      mark(ctx, FLAG_CORS)
      if (!capped.admit(ctx.clientIp, now())) return
      events(ctx).malicious.cors(
        { origin, preflight, userId: ctx.userId },
        { ruleName: 'cors', ...(statusCode === undefined ? {} : { statusCode }) },
      )
    }
    return {
      corsCheck(ctx, info) {
        policy = true
        // A same-origin request is never a CORS refusal, whatever an origin list says.
        if (info.allowed || flagged(ctx, FLAG_CORS) || isSameOrigin(info.origin, ctx.host)) return
        report(ctx, info.origin, info.preflight ?? ctx.method === 'OPTIONS', undefined)
      },
      responseFinish(ctx, status, res) {
        if (flagged(ctx, FLAG_CORS)) return
        const origin = headerText(ctx, originSlot)
        if (origin === undefined || isSameOrigin(origin, ctx.host)) return
        const allowed = res.getHeader('access-control-allow-origin')
        if (allowed === '*' || allowed === origin) {
          policy = true
          return
        }
        if (!policy || allowedOrigins.has(origin)) return
        const preflight = ctx.method === 'OPTIONS' && headerOf(ctx, requestMethodSlot) !== undefined
        report(ctx, origin, preflight, status)
      },
      sweep: (t) => capped.sweep(t),
    }
  },
}

/** `https://shop.example.com:8443` vs Host `shop.example.com:8443`. `null` and junk are cross-origin. */
function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false
  const scheme = origin.indexOf('://')
  return scheme !== -1 && origin.slice(scheme + 3).toLowerCase() === host.toLowerCase()
}
