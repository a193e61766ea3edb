/**
 * A route's own Watchpost options — Fastify's `config: { watchpost }`, Express's `wp.route()` —
 * checked with the configuration file's rules, so that a typo fails at start-up in both adapters
 * alike, naming where it was written.
 */
import type { DetectorsConfig } from '../config/index.js'
import { validateConfig } from '../config/index.js'
import { WatchpostTypeError } from '../errors.js'

/** Per-detector options for one route: the `detectors` section's shape, every field optional. */
export type DetectorOverrides = {
  readonly [K in keyof DetectorsConfig]?: Partial<DetectorsConfig[K]>
}

/** What a route may set. */
export interface RouteOptions {
  /** Record nothing for this route (health checks, metrics). */
  readonly ignore?: boolean | undefined
  /** Detector options for this route on top of the configured ones (`{ notFound: { threshold: 5 } }`). */
  readonly detectors?: DetectorOverrides | undefined
}

/**
 * The options, checked; `where` names them in the error (`route GET /health: config.watchpost`).
 *
 * @throws WatchpostError `ERR_WATCHPOST_ROUTE_OPTIONS_INVALID` listing every problem.
 */
export function checkRouteOptions(
  options: RouteOptions | undefined,
  where: string,
): { readonly ignore: boolean; readonly detectors: DetectorOverrides | undefined } {
  if (options === undefined) return { ignore: false, detectors: undefined }
  const problems: string[] = []
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    problems.push('expected an object with `ignore` and/or `detectors`')
  } else {
    const { ignore, detectors, ...rest } = options
    for (const key of Object.keys(rest)) problems.push(`unknown option ${JSON.stringify(key)}`)
    if (ignore !== undefined && typeof ignore !== 'boolean')
      problems.push(`ignore: expected a boolean, got ${JSON.stringify(ignore)}`)
    if (detectors !== undefined) {
      const { issues } = validateConfig({ routes: [{ match: '/', detectors }] })
      for (const issue of issues)
        problems.push(`${issue.path.replace(/^routes\[0\]\./, '')}: ${issue.message}`)
    }
  }
  if (problems.length > 0) {
    throw new WatchpostTypeError('ERR_WATCHPOST_ROUTE_OPTIONS_INVALID', `${where}: ${problems.join('; ')}`)
  }
  return { ignore: options.ignore === true, detectors: options.detectors }
}
