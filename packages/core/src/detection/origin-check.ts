/**
 * The origin allow-list both adapters' CORS helpers decide with (Fastify's `corsDelegator`,
 * Express's `wp.cors`), compiled once at start-up.
 */
import { WatchpostTypeError } from '../errors.js'

/**
 * Which cross-origin requests are allowed: an exact origin, a RegExp, a list of both, or a function.
 * A function that throws refuses the origin.
 */
export type AllowedOrigins = string | RegExp | ReadonlyArray<string | RegExp> | ((origin: string) => boolean)

/**
 * Longest origin a RegExp is tested on: an `Origin` is scheme, host and port (a host name is at most
 * 253 characters), so anything longer is refused without running the app's pattern on it.
 */
const MAX_ORIGIN_LENGTH = 2048

/**
 * `allowed`, compiled. The returned check never throws: a throwing function refuses the origin and
 * is handed to `onError`.
 *
 * @throws WatchpostError `ERR_WATCHPOST_ORIGINS_INVALID` when `allowed` is none of the above.
 */
export function compileOriginCheck(
  allowed: AllowedOrigins,
  onError: (err: unknown) => void = () => {},
): (origin: string) => boolean {
  if (typeof allowed === 'function') {
    return (origin) => {
      try {
        return allowed(origin) === true
      } catch (err) {
        onError(err)
        return false
      }
    }
  }
  const list: ReadonlyArray<unknown> = Array.isArray(allowed) ? allowed : [allowed]
  const exact = new Set<string>()
  const patterns: RegExp[] = []
  for (const item of list) {
    if (typeof item === 'string') exact.add(item)
    // `g`/`y` make `test()` stateful (lastIndex): a second request with the same origin would fail.
    else if (item instanceof RegExp) patterns.push(new RegExp(item.source, item.flags.replace(/[gy]/g, '')))
    else
      throw new WatchpostTypeError(
        'ERR_WATCHPOST_ORIGINS_INVALID',
        `allowed origins must be strings or RegExps, a list of them, or a function; got ${item === null ? 'null' : typeof item}`,
      )
  }
  if (patterns.length === 0) return (origin) => exact.has(origin)
  return (origin) =>
    exact.has(origin) || (origin.length <= MAX_ORIGIN_LENGTH && patterns.some((re) => re.test(origin)))
}
