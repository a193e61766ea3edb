/**
 * JWT failures, reported by the verification helper (`createJwtVerifier()`, ../jwt/verify.ts) or
 * by the app's own verifier through `reportJwtFailure(err)` (../jwt/classify.ts classifies jose,
 * `@fastify/jwt`, `express-jwt`/jsonwebtoken errors by their codes). The token and its claims are
 * never recorded; for `alg_not_allowed`, the `alg` of its header is (../jwt/header.ts bounds it).
 * Capped per source.
 */

import type { DetectorsConfig } from '../config/index.js'
import { capPerSource } from '../detection/capped-counter.js'
import { FLAG_AUTH, mark } from '../detection/flags.js'
import type { DetectorDefinition } from '../detection/types.js'
import { tokenAlgorithm } from '../jwt/header.js'
import { bearerToken } from '../jwt/verify.js'

export const jwtDetector: DetectorDefinition<'jwt', DetectorsConfig['jwt']> = {
  id: 'jwt',
  emits: ['authn_jwt_fail'],
  create(_options, { events, now }) {
    const capped = capPerSource((held) =>
      events(undefined).authn.jwtFail(
        { reason: 'other' },
        {
          ...held,
          ruleName: 'jwt',
          message: `${held.count} more rejected JWTs from one source`,
        },
      ),
    )
    return {
      jwtFailure(ctx, info) {
        // The 401 that usually follows is this failure, not another one.
        mark(ctx, FLAG_AUTH)
        if (!capped.admit(ctx.clientIp, now())) return
        // Errors reported by the app name no algorithm; the refused token is then the bearer token.
        const algorithm =
          info.algorithm ??
          (info.reason === 'alg_not_allowed' ? bearerAlgorithm(ctx.headers.authorization) : undefined)
        events(ctx).authn.jwtFail(
          { reason: info.reason, claim: info.claim, algorithm },
          { ruleName: 'jwt', statusCode: 401 },
        )
      },
      sweep: (t) => capped.sweep(t),
    }
  },
}

function bearerAlgorithm(authorization: string | undefined): string | undefined {
  const token = bearerToken(authorization)
  return token === undefined ? undefined : tokenAlgorithm(token)
}
