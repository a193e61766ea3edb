/**
 * `createWatchpost()`: an instance for a plain `node:http` app. The pieces are put together in
 * instance/assemble.ts; the instance's interface is in instance/types.ts.
 */
import type { WatchpostOptions } from './config/index.js'
import { assemble, type CreateRuntime } from './instance/assemble.js'
import type { Watchpost } from './instance/types.js'

export type { Watchpost, WatchpostHealth, WatchpostRules, WatchpostStats } from './instance/types.js'

/**
 * An instance for a plain `node:http` app: contexts are kept under a symbol on the request. The
 * framework adapters (`@watchpost/fastify`, `@watchpost/express`) create theirs themselves.
 *
 * @throws ConfigError for a configuration that cannot be used (every problem listed).
 */
export function createWatchpost(options?: WatchpostOptions, runtime?: CreateRuntime): Watchpost {
  return assemble(options, runtime).watchpost
}
