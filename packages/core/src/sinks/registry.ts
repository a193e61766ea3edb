/**
 * The sink registry: each `type` of the configuration's `sinks` list names a registered sink type.
 * Core registers `console`, `file` and `webhook`; `@watchpost/sentinel` registers `sentinel` when it
 * is loaded. A configured type that is not registered yet but belongs to a known optional package is
 * loaded from that package once (`require(esm)` is synchronous on Node >= 20.19, which keeps
 * `createWatchpost` synchronous), so a configuration file can name `sentinel` without app code.
 *
 * The registry is process-wide and shared by every copy of core in the process (a global symbol,
 * as `@opentelemetry/api` keeps its globals): a package that registers into the copy it imports
 * must be found by the copy the app created its instance with.
 */
import { createRequire } from 'node:module'
import type { SinkConfig } from '../config/types.js'
import type { DeliverySink } from '../delivery/delivery-sink.js'
import type { Destination } from '../delivery/types.js'
import { WatchpostError } from '../errors.js'
import type { Sink } from '../pipeline/types.js'
import { createConsoleSink } from './console.js'
import { createFileSink } from './file.js'
import { createWebhookDestination } from './webhook.js'

/**
 * A kind of sink. A `local` one writes where it runs (console, file) and is handed batches as they
 * leave the queue; a `remote` one is a destination that core wraps in its delivery loop (spool,
 * batching by size, retries, dead letters).
 */
export type SinkType =
  | { readonly type: string; readonly kind: 'local'; create(config: SinkConfig): Sink }
  | { readonly type: string; readonly kind: 'remote'; destination(config: SinkConfig): Destination }

/** Sink types registered by packages that are loaded only when a configuration names them. */
const OPTIONAL_PACKAGES: Readonly<Record<string, string>> = { sentinel: '@watchpost/sentinel' }

const kRegistry = Symbol.for('watchpost.sink-types')
type Registry = Map<string, SinkType>

function registry(): Registry {
  const holder = globalThis as { [kRegistry]?: Registry }
  holder[kRegistry] ??= new Map()
  return holder[kRegistry]
}

/** Registers a sink type (a later registration of the same type replaces the earlier one). */
export function registerSinkType(sinkType: SinkType): void {
  registry().set(sinkType.type, sinkType)
}

registerSinkType({
  type: 'console',
  kind: 'local',
  create: (config) => {
    const c = config as Extract<SinkConfig, { type: 'console' }>
    return createConsoleSink({ format: c.format, stream: c.stream, colors: c.colors })
  },
})
registerSinkType({
  type: 'file',
  kind: 'local',
  create: (config) => {
    const c = config as Extract<SinkConfig, { type: 'file' }>
    return createFileSink({ path: c.path, maxBytes: c.maxBytes, maxFiles: c.maxFiles })
  },
})
registerSinkType({
  type: 'webhook',
  kind: 'remote',
  destination: (config) => createWebhookDestination(config as Extract<SinkConfig, { type: 'webhook' }>),
})

const requireFromCore = createRequire(import.meta.url)

/**
 * The registered type `type`, loading its optional package first if needed.
 *
 * @throws WatchpostError `ERR_WATCHPOST_SINK_TYPE_UNKNOWN`: not registered and no known package
 *   registers it; `ERR_WATCHPOST_SINK_INVALID`: its package is not installed or failed to load.
 */
export function sinkType(type: string): SinkType {
  const known = registry().get(type)
  if (known !== undefined) return known
  const pkg = Object.hasOwn(OPTIONAL_PACKAGES, type) ? OPTIONAL_PACKAGES[type] : undefined
  if (pkg === undefined) {
    throw new WatchpostError(
      'ERR_WATCHPOST_SINK_TYPE_UNKNOWN',
      `unknown sink type ${JSON.stringify(type)}; registered: ${[...registry().keys()].join(', ')}`,
    )
  }
  // The package.json is resolved first, so that "not installed" is told apart from "installed but
  // failed to load" without reading error messages.
  try {
    requireFromCore.resolve(`${pkg}/package.json`)
  } catch (err) {
    throw new WatchpostError(
      'ERR_WATCHPOST_SINK_INVALID',
      `@watchpost/core: the ${type} sink needs the ${pkg} package: npm install ${pkg}`,
      { cause: err },
    )
  }
  try {
    requireFromCore(pkg)
  } catch (err) {
    throw new WatchpostError(
      'ERR_WATCHPOST_SINK_INVALID',
      `@watchpost/core: ${pkg} could not be loaded: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    )
  }
  const loaded = registry().get(type)
  if (loaded === undefined) {
    throw new WatchpostError(
      'ERR_WATCHPOST_SINK_INVALID',
      `@watchpost/core: the installed ${pkg} did not register the ${type} sink type; update it`,
    )
  }
  return loaded
}

/** Creates the configured sinks; remote ones are wrapped by `remote` (the delivery loop). */
export function createSinks(
  configs: readonly SinkConfig[],
  remote: (destination: Destination) => DeliverySink,
): Sink[] {
  return configs.map((config) => {
    const type = sinkType(config.type)
    return type.kind === 'local' ? type.create(config) : remote(type.destination(config))
  })
}
