export { appDefaults, DEFAULTS, type Defaults } from './defaults.js'
export { CONFIG_FILE_NAMES, findConfigFile, loadConfig, readConfigFile, validateConfig } from './load.js'
export type {
  AppConfig,
  ConsoleSinkConfig,
  CorrelationConfig,
  DeepReadonly,
  DeliveryConfig,
  DetectorsConfig,
  FileSinkConfig,
  LoadRuntime,
  PrivacyConfig,
  QueueConfig,
  ResolvedConfig,
  RouteConfig,
  RuleConfig,
  SentinelSinkConfig,
  ShutdownConfig,
  SinkConfig,
  SpoolConfig,
  TrustProxyFunction,
  TrustProxySetting,
  WatchpostFileOptions,
  WatchpostMode,
  WatchpostOptions,
  WebhookSinkConfig,
} from './types.js'
export { CONFIG_WARNINGS, type ConfigWarning } from './warnings.js'
