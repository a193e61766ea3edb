/**
 * Rate-limit hits: from the limiter's own hook (`@fastify/rate-limit` `onExceeded`/`onBanReach`,
 * `express-rate-limit` `handler`, wired by the adapters) or, when no hook reported the request,
 * inferred from a 429 response. Capped per source; the rest of a window is one aggregate.
 */

import type { DetectorsConfig } from '../config/index.js'
import type { RequestContext } from '../context/types.js'
import { CappedCounter, DEFAULT_CAP, DEFAULT_CAP_WINDOW_MS } from '../detection/capped-counter.js'
import { FLAG_AUTH, FLAG_RATE_LIMIT, flagged, mark } from '../detection/flags.js'
import type { DetectorDefinition, RateLimitInfo } from '../detection/types.js'

export const rateLimitDetector: DetectorDefinition<'rateLimit', DetectorsConfig['rateLimit']> = {
  id: 'rateLimit',
  emits: ['excess_rate_limit_exceeded'],
  create(_options, { events, now }) {
    const capped = new CappedCounter({
      windowMs: DEFAULT_CAP_WINDOW_MS,
      cap: DEFAULT_CAP,
      onAggregate: (ip, count, start, end) =>
        events(undefined).excess.rateLimitExceeded(
          {},
          {
            count,
            startTime: start,
            endTime: end,
            srcIp: ip,
            ruleName: 'rateLimit',
            statusCode: 429,
            message: `${count} more rate-limited requests from one source`,
          },
        ),
    })
    const report = (ctx: RequestContext, info: RateLimitInfo) => {
      mark(ctx, FLAG_RATE_LIMIT)
      // A ban is answered with a 403 by the limiters: that 403 is this event, not an authz failure.
      if (info.banned) mark(ctx, FLAG_AUTH)
      if (!capped.admit(ctx.clientIp, now())) return
      events(ctx).excess.rateLimitExceeded(
        { userId: ctx.userId, max: info.max, windowSeconds: info.windowSeconds, banned: info.banned },
        { ruleName: 'rateLimit', statusCode: 429, ...(info.banned ? { severity: 'High' as const } : {}) },
      )
    }
    return {
      rateLimitHit(ctx, info) {
        // `@fastify/rate-limit` calls onExceeded, then onBanReach for the same request: the ban is news.
        if (!flagged(ctx, FLAG_RATE_LIMIT) || info.banned) report(ctx, info)
      },
      responseFinish(ctx, res) {
        if (res.statusCode === 429 && !flagged(ctx, FLAG_RATE_LIMIT)) report(ctx, {})
      },
      sweep: (t) => capped.sweep(t),
    }
  },
}
