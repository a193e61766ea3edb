/**
 * Signals: what the framework adapters observe, in framework-neutral terms. Adapters translate
 * their lifecycle into these calls and hold no detection logic; detectors (one file each, in
 * `../detectors/`) turn signals into events.
 */
import type { HeaderSlot } from '../context/header-slots.js'
import type { RequestContext } from '../context/types.js'
import type { EventApi } from '../events/api.js'
import type { JWT_FAIL_REASONS } from '../events/catalogue/authn.js'
import type { MALFORMED_BODY_REASONS } from '../events/catalogue/input.js'

/** The part of a response detectors read: Node's `ServerResponse` satisfies it. */
export interface ResponseLike {
  readonly statusCode: number
  getHeader(name: string): number | string | readonly string[] | undefined
}

export type MalformedBodyReason = (typeof MALFORMED_BODY_REASONS)[number]
export type JwtFailReason = keyof typeof JWT_FAIL_REASONS

export interface BodyErrorInfo {
  readonly reason: MalformedBodyReason
  /** The framework's error code (`FST_ERR_CTP_INVALID_JSON_BODY`, `entity.parse.failed`). */
  readonly code: string | undefined
}

export interface JwtFailureInfo {
  readonly reason: JwtFailReason
  /** The claim that failed, for `claim_invalid`. */
  readonly claim?: string | undefined
  /** The `alg` header, for `alg_not_allowed`. */
  readonly algorithm?: string | undefined
}

export interface CorsCheckInfo {
  readonly origin: string
  readonly allowed: boolean
  readonly preflight?: boolean | undefined
}

export interface RateLimitInfo {
  readonly max?: number | undefined
  readonly windowSeconds?: number | undefined
  readonly banned?: boolean | undefined
}

/**
 * A server's `clientError` (`server.on('clientError')`). Detectors get only requests Node's HTTP
 * parser refused before any middleware ran; the engine drops the rest (`refusedByParser`).
 */
export interface ClientErrorInfo {
  /**
   * The error's code: the parser's for a refused request (`HPE_INVALID_METHOD`,
   * `HPE_INVALID_HEADER_TOKEN`, …); `ECONNRESET`, `ERR_HTTP_REQUEST_TIMEOUT`, … for the rest.
   */
  readonly code: string | undefined
  readonly remoteAddress: string | undefined
  readonly remotePort: number | undefined
  /** Method and target parsed from the first bytes of the raw request, when readable. */
  readonly method: string | undefined
  readonly target: string | undefined
  /**
   * The headers the raw bytes still tell that identify the request and its client, lower-cased and
   * sanitised (client-error.ts `KEPT_HEADERS`): request ids, `traceparent`, `x-forwarded-for`,
   * `user-agent`, `host`.
   */
  readonly headers: Readonly<Record<string, string>>
  /** The status the client was answered with (or would have been: 400, 408, 413, 431). */
  readonly status: number
}

/**
 * What a detector may react to. Every handler runs on the request path: cheap, synchronous, no I/O.
 * Handlers are called as plain functions (no `this`): they close over what they need.
 */
export interface DetectorHandlers {
  requestStart?(ctx: RequestContext): void
  bodyError?(ctx: RequestContext, info: BodyErrorInfo): void
  jwtFailure?(ctx: RequestContext, info: JwtFailureInfo): void
  corsCheck?(ctx: RequestContext, info: CorsCheckInfo): void
  rateLimitHit?(ctx: RequestContext, info: RateLimitInfo): void
  /**
   * The response was sent. `status` is `res.statusCode`, read once for every detector: on Express
   * each read of a property of the response is a V8 runtime lookup. `body` is the request body as
   * the framework parsed it (`undefined` when none was).
   */
  responseFinish?(ctx: RequestContext, status: number, res: ResponseLike, body: unknown): void
  /**
   * A request Node's parser refused. `ctx` is a context built from what its raw bytes still tell
   * (method, target, request id, `traceparent`, `X-Forwarded-For` under `trustProxy`).
   */
  clientError?(info: ClientErrorInfo, ctx: RequestContext): void
  /** Off the request path, on the sweep timer: report windows that closed. */
  sweep?(now: number): void
}

export interface DetectorDeps {
  /** The typed event API bound to a request (or to none, for aggregates reported on the sweep). */
  readonly events: (ctx: RequestContext | undefined) => EventApi
  readonly now: () => number
  /** A context for a request Node's parser refused, from what its raw bytes still tell. */
  readonly refusedContext: (info: ClientErrorInfo) => RequestContext
  /** Whether a key names a secret (the redactor's sensitive-key list, `privacy.sensitiveKeys` included). */
  readonly isSensitiveKey: (key: string) => boolean
  /**
   * The slot of a request header the detector reads on every request (`headerOf(ctx, slot)`): asked
   * at `create`, read once per request with the others (context/header-slots.ts).
   */
  readonly header: (name: string) => HeaderSlot
}

export interface DetectorDefinition<Id extends string = string, Options = unknown> {
  readonly id: Id
  /** Vocabulary names of the events it can emit (docs). */
  readonly emits: readonly string[]
  create(options: Options, deps: DetectorDeps): DetectorHandlers
}
