/**
 * 401 and 403 responses the app's own code did not already record: a 401 becomes
 * `authn_unauthorized`, a 403 `authz_fail`. Per source, the first `threshold` of each within the
 * window are reported one by one; the rest of a burst (brute force, credential stuffing, forced
 * browsing) is reported once, with EventCount, when the window closes.
 *
 * A 403 the app answered is access control working, not an attack in itself: the inferred
 * `authz_fail` is Medium, not the vocabulary's CRITICAL (High), which Sentinel's built-in "threat
 * information in web requests" rule alerts on every 5 minutes. An `authz_fail` the app records
 * itself keeps the catalogue's severity.
 */

import type { DetectorsConfig } from '../config/index.js'
import { capPerSource } from '../detection/capped-counter.js'
import { FLAG_AUTH, flagged, mark } from '../detection/flags.js'
import type { DetectorDefinition } from '../detection/types.js'

export const authFailureDetector: DetectorDefinition<'authFailure', DetectorsConfig['authFailure']> = {
  id: 'authFailure',
  emits: ['authn_unauthorized', 'authz_fail'],
  create(options, { events, now }) {
    const windowMs = options.windowSeconds * 1000
    const common = { ruleName: 'authFailure' } as const
    const inferred403 = { ...common, severity: 'Medium' } as const
    const unauthorized = capPerSource(
      (held) =>
        events(undefined).authn.unauthorized(
          {},
          { ...common, ...held, statusCode: 401, message: `${held.count} more 401 responses to one source` },
        ),
      windowMs,
      options.threshold,
    )
    const forbidden = capPerSource(
      (held) =>
        events(undefined).authz.fail(
          {},
          {
            ...inferred403,
            ...held,
            statusCode: 403,
            message: `${held.count} more 403 responses to one source`,
          },
        ),
      windowMs,
      options.threshold,
    )
    return {
      responseFinish(ctx, status) {
        if ((status !== 401 && status !== 403) || flagged(ctx, FLAG_AUTH)) return
        mark(ctx, FLAG_AUTH)
        if (status === 401) {
          if (unauthorized.admit(ctx.clientIp, now()))
            events(ctx).authn.unauthorized({ userId: ctx.userId }, { ...common, statusCode: 401 })
        } else if (forbidden.admit(ctx.clientIp, now())) {
          events(ctx).authz.fail({ resource: ctx.route }, { ...inferred403, statusCode: 403 })
        }
      },
      sweep(t) {
        unauthorized.sweep(t)
        forbidden.sweep(t)
      },
    }
  },
}
