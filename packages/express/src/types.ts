/**
 * Public types of `@watchpost/express`. Only `express`'s types are referenced (`@types/express`, v4
 * or v5); `cors` and `express-rate-limit` are matched structurally so that apps which do not use them
 * need neither their code nor their types.
 */
import type { IncomingMessage, Server } from 'node:http'
import type { RequestApi, RouteOptions, Watchpost } from '@watchpost/core'
import type { AllowedOrigins } from '@watchpost/core/sdk'
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express'

declare global {
  namespace Express {
    interface Request {
      /**
       * The request-scoped Watchpost API (`req.watchpost.authn.loginFail({ userId, reason })`): a
       * getter the Watchpost middleware defines on the app's request prototype, made on each read.
       */
      watchpost: RequestApi
    }
  }
}

/** What `wp.route()` takes: checked once, when `wp.route()` is called. */
/** Which cross-origin requests `wp.cors()` allows (a function that throws refuses, reported once as `WATCHPOST_W302`). */
export type { AllowedOrigins, RouteOptions }

/**
 * An options delegate for the `cors` package: `cors(wp.cors(['https://shop.example']))`. It answers
 * with the given `cors` options plus the `origin` decision.
 */
export type CorsDelegate<O extends object> = (
  req: IncomingMessage,
  callback: (err: Error | null, options?: O & { origin: boolean | never[] }) => void,
) => void

/** The part of `express-rate-limit`'s options (v7/v8, the 4th argument of `handler`) Watchpost reads. */
export interface RateLimitOptionsLike {
  readonly limit?: unknown
  readonly windowMs?: unknown
  readonly statusCode?: unknown
  readonly message?: unknown
  readonly requestPropertyName?: unknown
}

/** `express-rate-limit`'s `handler`: answers a request that exceeded the limit. */
export type RateLimitHandler<O extends RateLimitOptionsLike = RateLimitOptionsLike> = (
  req: Request,
  res: Response,
  next: NextFunction,
  options: O,
) => unknown

/** What `watchpost(options)` returns: the middleware to `app.use()` first, with its handle. */
export interface WatchpostMiddleware extends RequestHandler {
  /** The core instance: events outside a request (`wp.instance.events.sys.startup()`), stats, flush. */
  readonly instance: Watchpost
  /** The error middleware to `app.use()` after the routes: records body-parser errors, then `next(err)`. */
  errors(): ErrorRequestHandler
  /** A route-level middleware with this route's detector options, compiled once here. */
  route(options?: RouteOptions): RequestHandler
  /** A `handler` for `express-rate-limit` that records the refusal, then answers as `handler` (or the default) does. */
  rateLimitHandler<O extends RateLimitOptionsLike = RateLimitOptionsLike>(
    handler?: RateLimitHandler<O>,
  ): (req: Request, res: Response, next: NextFunction, options: O) => Promise<void>
  /** An options delegate for `cors` that decides the origin from `allowed` and records refusals. */
  cors<O extends object = Record<never, never>>(allowed: AllowedOrigins, corsOptions?: O): CorsDelegate<O>
  /**
   * Records requests Node's HTTP parser refuses on `server` (TRACK, control characters), answering
   * exactly as Node does. Done when the server sends its first response anyway; call it right after
   * `app.listen()` to catch those that arrive before it. Idempotent.
   */
  observe(server: Server): void
  /** Reports open detector windows, flushes within `deadlineMs` (default `shutdown.deadlineMs`, 5000) and closes the sinks. */
  close(deadlineMs?: number): Promise<void>
}
