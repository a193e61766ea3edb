/**
 * Public configuration types, all inferred from `options-schema.ts` so they cannot drift from the
 * validator, the JSON Schema or the docs.
 */
import type { deliverySchema, shutdownSchema } from './delivery-options.js'
import type { detectorsSchema } from './detector-options.js'
import type {
  appSchema,
  consoleSinkSchema,
  correlationSchema,
  fileSinkSchema,
  optionsSchema,
  privacySchema,
  queueSchema,
  routeSchema,
  ruleSchema,
  spoolSchema,
} from './options-schema.js'
import type { Input, Resolved } from './schema-kit.js'
import type { sentinelSinkSchema } from './sentinel-options.js'
import type { webhookSinkSchema } from './webhook-schema.js'

export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer I)[]
    ? readonly DeepReadonly<I>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T

/** Custom trust decision, called per hop from the socket peer outwards (code only, not in files). */
export type TrustProxyFunction = (addr: string, hop: number) => boolean

/**
 * Express's `trust proxy` values: `true` (every hop), a hop count, presets `loopback` / `linklocal` /
 * `uniquelocal`, addresses and CIDRs (array or comma-separated string), or a function (code only).
 */
export type TrustProxySetting = boolean | number | string | readonly string[] | TrustProxyFunction

export type AppConfig = Resolved<typeof appSchema>
export type CorrelationConfig = Resolved<typeof correlationSchema>
export type PrivacyConfig = Resolved<typeof privacySchema>
export type DetectorsConfig = Resolved<typeof detectorsSchema>
export type RouteConfig = Resolved<typeof routeSchema>
export type RuleConfig = Resolved<typeof ruleSchema>
export type ConsoleSinkConfig = Resolved<typeof consoleSinkSchema>
export type FileSinkConfig = Resolved<typeof fileSinkSchema>
/** Options of the `sentinel` sink, as `@watchpost/sentinel`'s `createSentinelDestination` receives them. */
export type SentinelSinkConfig = Resolved<typeof sentinelSinkSchema>
export type WebhookSinkConfig = DeepReadonly<Resolved<typeof webhookSinkSchema>>
export type SinkConfig = ConsoleSinkConfig | FileSinkConfig | SentinelSinkConfig | WebhookSinkConfig
export type QueueConfig = Resolved<typeof queueSchema>
export type SpoolConfig = Resolved<typeof spoolSchema>
export type DeliveryConfig = Resolved<typeof deliverySchema>
export type ShutdownConfig = Resolved<typeof shutdownSchema>
export type WatchpostMode = Resolved<typeof optionsSchema>['mode']

/** What a configuration file may contain (after parsing), every defaulted option optional. */
export type WatchpostFileOptions = Input<typeof optionsSchema>

/** Options given in code: the file format plus `config` and a function form of `trustProxy`. Code wins over the file. */
export type WatchpostOptions = Omit<WatchpostFileOptions, 'trustProxy'> & {
  /** Path of the configuration file; `false` disables file loading (and `WATCHPOST_CONFIG`). */
  config?: string | false
  trustProxy?: TrustProxySetting
}

/** The configuration in use: validated, every default applied, deeply frozen. */
export type ResolvedConfig = DeepReadonly<
  Omit<Resolved<typeof optionsSchema>, 'trustProxy'> & {
    trustProxy: TrustProxySetting
    /** Where the file options came from; `undefined` when no file was loaded. */
    source: { file: string | undefined }
  }
>

export interface LoadRuntime {
  /** Directory searched for `watchpost.config.*` and `package.json`; `process.cwd()` by default. */
  cwd?: string
  /** Environment for `WATCHPOST_CONFIG`, `NODE_ENV` and `${VAR}` substitution; `process.env` by default. */
  env?: NodeJS.ProcessEnv
}
