/**
 * `wp.rateLimitHandler(handler?)`: a `handler` for `express-rate-limit` (v7, v8) that records the
 * refusal with the limiter's own numbers, then answers exactly as the given handler, or the default
 * one, would: the response does not change.
 */
import { type RequestApi, WatchpostTypeError } from '@watchpost/core'
import type { AdapterCore } from '@watchpost/core/sdk'
import type { NextFunction, Request, Response } from 'express'
import type { RateLimitHandler, RateLimitOptionsLike } from './types.js'

type RateLimitInfo = NonNullable<Parameters<RequestApi['reportRateLimit']>[0]>

/** express-rate-limit's defaults, for a handler called without its options. */
const DEFAULT_STATUS = 429
const DEFAULT_MESSAGE = 'Too many requests, please try again later.'

export function createRateLimitHandler<O extends RateLimitOptionsLike>(
  core: AdapterCore,
  handler: RateLimitHandler<O> | undefined,
): (req: Request, res: Response, next: NextFunction, options: O) => Promise<void> {
  if (handler !== undefined && typeof handler !== 'function')
    throw new WatchpostTypeError('ERR_WATCHPOST_EXPRESS_RATE_LIMIT_HANDLER_INVALID', undefined)
  return async function watchpostRateLimitHandler(req, res, next, options) {
    try {
      const ctx = core.open(req)
      // The limiter runs inside the route: the context keeps the route as Express names it now.
      void ctx.route
      core.requestApi(ctx).reportRateLimit(rateLimitInfo(req, options))
    } catch (err) {
      core.warn('WATCHPOST_W303', { cause: err })
    }
    if (handler !== undefined) {
      await handler(req, res, next, options)
      return
    }
    // express-rate-limit v8's default handler (`parseOptions`): status, message (value or function), send.
    res.status(typeof options?.statusCode === 'number' ? options.statusCode : DEFAULT_STATUS)
    const message =
      options === undefined || !Object.hasOwn(options, 'message')
        ? DEFAULT_MESSAGE
        : typeof options.message === 'function'
          ? await (options.message as (req: Request, res: Response) => unknown)(req, res)
          : options.message
    if (!res.writableEnded) res.send(message)
  }
}

function rateLimitInfo(req: Request, options: RateLimitOptionsLike | undefined): RateLimitInfo {
  // `limit` may be a function of the request; the limiter then leaves the value it used on the request.
  let max: unknown = options?.limit
  if (typeof max !== 'number') {
    const property =
      typeof options?.requestPropertyName === 'string' ? options.requestPropertyName : 'rateLimit'
    const info = (req as unknown as Record<string, unknown>)[property]
    max = info !== null && typeof info === 'object' ? (info as { limit?: unknown }).limit : undefined
  }
  const windowMs = options?.windowMs
  const out: { max?: number; windowSeconds?: number } = {}
  if (Number.isSafeInteger(max) && (max as number) >= 0) out.max = max as number
  if (typeof windowMs === 'number' && Number.isFinite(windowMs) && windowMs > 0)
    out.windowSeconds = Math.ceil(windowMs / 1000)
  return out
}
