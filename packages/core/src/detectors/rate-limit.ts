/**
 * Rate-limit hits: from the limiter's own hook (`@fastify/rate-limit` `onExceeded`/`onBanReach`,
 * `express-rate-limit` `handler`, wired by the adapters) or, when no hook reported the request,
 * inferred from a 429 response. The limit and window a hook did not give are read from the headers
 * the limiter set on the response (`limits()`), so such a hit is reported when its response is sent.
 * Capped per source; the rest of a window is one aggregate.
 */

import type { DetectorsConfig } from '../config/index.js'
import type { RequestContext } from '../context/types.js'
import { capPerSource } from '../detection/capped-counter.js'
import { FLAG_AUTH, FLAG_RATE_LIMIT, flagged, mark } from '../detection/flags.js'
import type { DetectorDefinition, RateLimitInfo, ResponseLike } from '../detection/types.js'

/**
 * Hits waiting for their response. A response that is never observed (the client went away, the
 * reply was hijacked) would hold its hit forever: the sweep reports those without the headers.
 */
const MAX_WAITING = 1_000
const WAIT_MS = 30_000

interface Waiting {
  info: RateLimitInfo
  readonly since: number
}

export const rateLimitDetector: DetectorDefinition<'rateLimit', DetectorsConfig['rateLimit']> = {
  id: 'rateLimit',
  emits: ['excess_rate_limit_exceeded'],
  create(_options, { events, now }) {
    const capped = capPerSource((held) =>
      events(undefined).excess.rateLimitExceeded(
        {},
        {
          ...held,
          ruleName: 'rateLimit',
          statusCode: 429,
          message: `${held.count} more rate-limited requests from one source`,
        },
      ),
    )
    const waiting = new Map<RequestContext, Waiting>()
    const report = (ctx: RequestContext, info: RateLimitInfo) => {
      if (!capped.admit(ctx.clientIp, now())) return
      events(ctx).excess.rateLimitExceeded(
        { userId: ctx.userId, max: info.max, windowSeconds: info.windowSeconds, banned: info.banned },
        { ruleName: 'rateLimit', statusCode: 429, ...(info.banned ? { severity: 'High' as const } : {}) },
      )
    }
    return {
      rateLimitHit(ctx, info) {
        const known = waiting.get(ctx)
        // `@fastify/rate-limit` calls onExceeded, then onBanReach for the same request: the ban is news.
        if (known === undefined && flagged(ctx, FLAG_RATE_LIMIT) && !info.banned) return
        mark(ctx, FLAG_RATE_LIMIT)
        // A ban is answered with a 403 by the limiters: that 403 is this event, not an authz failure.
        if (info.banned) mark(ctx, FLAG_AUTH)
        if (known !== undefined) {
          known.info = merged(known.info, info)
        } else if (
          (info.max !== undefined && info.windowSeconds !== undefined) ||
          waiting.size >= MAX_WAITING
        ) {
          report(ctx, info)
        } else {
          waiting.set(ctx, { info, since: now() })
        }
      },
      responseFinish(ctx, status, res) {
        // Every request ends here: a hit always marks the request first, so an unmarked one is
        // never looked up (a Map keyed by the context would give every context an identity hash).
        if (!flagged(ctx, FLAG_RATE_LIMIT)) {
          if (status !== 429) return
          mark(ctx, FLAG_RATE_LIMIT)
          report(ctx, limits(res))
          return
        }
        const known = waiting.get(ctx)
        if (known === undefined) return
        waiting.delete(ctx)
        report(ctx, merged(limits(res), known.info))
      },
      sweep(t) {
        // Insertion order is age order: stop at the first hit still young enough to get its response.
        for (const [ctx, entry] of waiting) {
          if (t - entry.since < WAIT_MS) break
          waiting.delete(ctx)
          report(ctx, entry.info)
        }
        capped.sweep(t)
      },
    }
  },
}

/** `base` with what `over` defines on top. */
function merged(base: RateLimitInfo, over: RateLimitInfo): RateLimitInfo {
  return {
    max: over.max ?? base.max,
    windowSeconds: over.windowSeconds ?? base.windowSeconds,
    banned: over.banned ?? base.banned,
  }
}

/**
 * The limit and window the limiter announced on the response. `RateLimit-Policy` has both
 * (`100;w=60`, or `"name"; q=100; w=60` in the IETF draft 8 that express-rate-limit follows);
 * otherwise the limit alone, from `RateLimit-Limit` / `X-RateLimit-Limit` (what @fastify/rate-limit
 * sends, it has no policy header) or draft 7's `RateLimit: limit=100, …`. `Retry-After` and the
 * `Reset` headers are not read: they give the time left, or a timestamp, never the window.
 */
function limits(res: ResponseLike): RateLimitInfo {
  const policy = headerText(res, 'ratelimit-policy')
  const max =
    (policy === undefined ? undefined : (param(policy, Q) ?? leadingCount(policy))) ??
    count(headerText(res, 'ratelimit-limit')) ??
    count(headerText(res, 'x-ratelimit-limit')) ??
    param(headerText(res, 'ratelimit'), LIMIT)
  const window = policy === undefined ? undefined : param(policy, W)
  return { max, windowSeconds: window === 0 ? undefined : window }
}

/** Enough for any policy a limiter writes; the rest of an outsized value is never scanned. */
const MAX_HEADER_TEXT = 256

/** The first value of a response header, as bounded text. */
function headerText(res: ResponseLike, name: string): string | undefined {
  const value = res.getHeader(name)
  const first = Array.isArray(value) ? value[0] : value
  if (typeof first === 'number') return String(first)
  return typeof first === 'string' ? first.slice(0, MAX_HEADER_TEXT) : undefined
}

const COUNT = /^\s*(\d{1,9})\s*$/
const LEADING_COUNT = /^\s*(\d{1,9})\s*(?:;|$)/

function count(text: string | undefined): number | undefined {
  const m = text === undefined ? null : COUNT.exec(text)
  return m === null ? undefined : Number(m[1])
}

function leadingCount(text: string): number | undefined {
  const m = LEADING_COUNT.exec(text)
  return m === null ? undefined : Number(m[1])
}

/** `name=123` as a parameter of a structured header (after `;` or `,`, or first). */
const parameter = (name: string) => new RegExp(`(?:^|[;,])\\s*${name}=(\\d{1,9})\\s*(?:[;,]|$)`)
const Q = parameter('q')
const W = parameter('w')
const LIMIT = parameter('limit')

function param(text: string | undefined, pattern: RegExp): number | undefined {
  const m = text === undefined ? null : pattern.exec(text)
  return m === null ? undefined : Number(m[1])
}
