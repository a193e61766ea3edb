import type { CreateRuntime, RequestApi, RouteOptions, Watchpost, WatchpostOptions } from '@watchpost/core'
import type { AllowedOrigins } from '@watchpost/core/sdk'

/**
 * Per-route settings: `app.get('/health', { config: { watchpost: { ignore: true } } }, handler)`.
 * Checked when the route is declared; a mistake fails there with `ERR_WATCHPOST_ROUTE_OPTIONS_INVALID`.
 */
export type WatchpostRouteConfig = RouteOptions

/**
 * Options of the plugin: the configuration file's shape plus `config` (a path, or `false`), and
 * `runtime` (code only: extra sink instances, the directory and environment the file is read with).
 */
export type WatchpostFastifyOptions = WatchpostOptions & { runtime?: CreateRuntime }

/** The instance API: `fastify.watchpost`. */
export interface FastifyWatchpost extends Watchpost {
  /**
   * `@fastify/rate-limit`'s options with Watchpost's hooks added:
   * `app.register(rateLimit, app.watchpost.rateLimitHooks({ max: 100, timeWindow: '1 minute' }))`.
   * Refusals are recorded with this `max` and `timeWindow` (numbers, or duration strings as the
   * limiter reads them); hooks already in the options still run, after Watchpost's.
   */
  rateLimitHooks<O extends object = Record<never, never>>(
    limiterOptions?: O,
  ): O & {
    onExceeded(request: { raw: import('node:http').IncomingMessage }, key: string): void
    onBanReach(request: { raw: import('node:http').IncomingMessage }, key: string): void
  }
  /**
   * A `delegator` for `@fastify/cors` that decides the origin from `allowed` and records refusals:
   * `app.register(cors, { delegator: app.watchpost.corsDelegator(['https://shop.example']) })`.
   */
  corsDelegator(
    allowed: AllowedOrigins,
    options?: Record<string, unknown>,
  ): (
    request: { raw: import('node:http').IncomingMessage },
    callback: (error: Error | null, options: Record<string, unknown>) => void,
  ) => void
}

declare module 'fastify' {
  interface FastifyInstance {
    watchpost: FastifyWatchpost
  }
  interface FastifyRequest {
    /** The request-scoped event API: `request.watchpost.authn.loginFail({ userId, reason })`. */
    watchpost: RequestApi
  }
  interface FastifyContextConfig {
    watchpost?: WatchpostRouteConfig
  }
}
