/**
 * JWT failures, reported by the verification helper (`verifyJwt`, jwt-verify.ts) or by the app's
 * own verifier through `reportJwtFailure(err)` (jwt-errors.ts classifies jose, `@fastify/jwt`,
 * `express-jwt`/jsonwebtoken errors by their codes). The token and its claims are never recorded.
 * Capped per source.
 */

import type { DetectorsConfig } from '../config/index.js'
import { CappedCounter, DEFAULT_CAP, DEFAULT_CAP_WINDOW_MS } from '../detection/capped-counter.js'
import { FLAG_AUTH, mark } from '../detection/flags.js'
import type { DetectorDefinition } from '../detection/types.js'

export const jwtDetector: DetectorDefinition<'jwt', DetectorsConfig['jwt']> = {
  id: 'jwt',
  emits: ['authn_jwt_fail'],
  create(_options, { events, now }) {
    const capped = new CappedCounter({
      windowMs: DEFAULT_CAP_WINDOW_MS,
      cap: DEFAULT_CAP,
      onAggregate: (ip, count, start, end) =>
        events(undefined).authn.jwtFail(
          { reason: 'other' },
          {
            count,
            startTime: start,
            endTime: end,
            srcIp: ip,
            ruleName: 'jwt',
            message: `${count} more rejected JWTs from one source`,
          },
        ),
    })
    return {
      jwtFailure(ctx, info) {
        // The 401 that usually follows is this failure, not another one.
        mark(ctx, FLAG_AUTH)
        if (!capped.admit(ctx.clientIp, now())) return
        events(ctx).authn.jwtFail(
          { reason: info.reason, claim: info.claim, algorithm: info.algorithm },
          { ruleName: 'jwt', statusCode: 401 },
        )
      },
      sweep: (t) => capped.sweep(t),
    }
  },
}
