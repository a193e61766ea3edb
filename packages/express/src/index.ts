// Public entry point of @watchpost/express: explicit re-exports, each value with its types.

export type {
  AllowedOrigins,
  CorsDelegate,
  RateLimitHandler,
  RateLimitOptionsLike,
  RouteOptions,
  WatchpostMiddleware,
} from './types.js'
export { watchpost, watchpost as default } from './watchpost.js'
