export { appDefaults, DEFAULTS, type Defaults } from './defaults.js'
export { CONFIG_FILE_NAMES, findConfigFile, loadConfig, readConfigFile, validateConfig } from './load.js'
export { optionsSchema } from './options-schema.js'
export type { Static, StaticInput } from './schema-builder.js'
export type {
  AppConfig,
  ConsoleSinkConfig,
  CorrelationConfig,
  DeepReadonly,
  DetectorsConfig,
  FileSinkConfig,
  LoadRuntime,
  PrivacyConfig,
  QueueConfig,
  ResolvedConfig,
  RouteConfig,
  RuleConfig,
  SinkConfig,
  SpoolConfig,
  TrustProxyFunction,
  TrustProxySetting,
  WatchpostFileOptions,
  WatchpostMode,
  WatchpostOptions,
} from './types.js'
export { CONFIG_WARNINGS, type ConfigWarning } from './warnings.js'
