import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'

/** Where a request's correlation id came from. */
export type CorrelationSource = 'traceparent' | 'header' | 'generated'

/**
 * One per request, created once by an adapter (or by hand with plain `node:http`) and kept on the
 * request under a symbol (`openContext`) or by the adapter itself (`createContext`). Framework-neutral: it only reads `IncomingMessage`.
 */
export interface RequestContext {
  /** W3C trace-id (32 lowercase hex) when a valid `traceparent` arrived, else a validated incoming request id, else generated. */
  readonly correlationId: string
  readonly correlationSource: CorrelationSource
  /** The W3C trace-id / parent-id when a valid `traceparent` arrived. */
  readonly traceId: string | undefined
  readonly parentSpanId: string | undefined
  /** The validated incoming request id (`x-request-id` / `x-correlation-id` by default), if any. */
  readonly requestId: string | undefined
  /** `Date.now()` when the context was created. */
  readonly startTime: number
  /** Client address resolved with the `trustProxy` setting; the socket peer unless proxies are trusted. `''` when unknown. */
  readonly clientIp: string
  readonly clientPort: number | undefined
  /** The raw `X-Forwarded-For` header, for the record only (never used for `clientIp` unless trusted). */
  readonly forwardedFor: string | undefined
  readonly method: string
  /** The request target as received (path and query); redacted when an event is built. */
  readonly url: string
  readonly host: string | undefined
  readonly userAgent: string | undefined
  readonly referer: string | undefined
  readonly httpVersion: string
  /**
   * The request's headers, read once when the context was created. Detectors read them here, not
   * through `request`: on Express every read of a property of the request is a V8 runtime lookup
   * (≈ 1,800 instructions; docs/performance.md).
   */
  readonly headers: IncomingHttpHeaders
  /** The matched route pattern (`/users/:id`), set by the adapter once known. */
  route: string | undefined
  /**
   * Set by adapters whose framework names the route only after the context opened, or only at a
   * cost (Express sets `req.route` when a route matches; Fastify builds `routeOptions` on each
   * read): asked, when an event is built, if `route` is still unset. One shared function per
   * adapter, not a closure per request.
   */
  routeLookup: ((ctx: RequestContext) => string | undefined) | undefined
  /** The adapter's own object for this context: Fastify's `request` (for its `routeLookup`), the Express middleware that opened it. */
  owner: object | undefined
  /** The authenticated user, set by the app (`req.watchpost.setUser(...)`). */
  userId: string | undefined
  /** The session id, set by the app; always keyed-hashed before it reaches an event. */
  sessionId: string | undefined
  /** The request this context belongs to. */
  readonly request: IncomingMessage
  /**
   * Internal to detection: bits saying which kinds of event this request already recorded, so that
   * inference from the response (a 401, a 429, a missing CORS header) does not report it twice.
   */
  flags: number
  /** Internal to detection: the detector set chosen for this request's route (resolved once). */
  detection: object | undefined
}
