import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'

/** Where a request's correlation id came from. */
export type CorrelationSource = 'traceparent' | 'header' | 'generated'

/**
 * One per request, opened by the framework adapter (or by `watchpost.context(req)` with plain
 * `node:http`). Read-only: the app changes what it says through the request API
 * (`req.watchpost.setUser()`); Watchpost's own bookkeeping on it is private.
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
   * The request's headers (Node's object), taken once when the context was created: on Express every
   * read of a property of the request is a V8 runtime lookup (≈ 1,800 instructions;
   * docs/performance.md). Core's detectors read the few headers they need on every request from
   * values taken in one pass over this object (context/header-slots.ts).
   */
  readonly headers: IncomingHttpHeaders
  /** The matched route pattern (`/users/:id`), asked of the framework when first read; `undefined` before one matched. */
  readonly route: string | undefined
  /** The authenticated user, as set by the app (`req.watchpost.setUser(...)`). */
  readonly userId: string | undefined
  /** The session id, as set by the app; always keyed-hashed before it reaches an event. */
  readonly sessionId: string | undefined
  /** The request this context belongs to. */
  readonly request: IncomingMessage
}
