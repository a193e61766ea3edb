// `@watchpost/core` for apps: create an instance, type its options, record events, read its health.
// Adapter and sink authors: `@watchpost/core/sdk`. Tests of destinations: `@watchpost/core/testing`.
// Explicit re-exports, each value with its types; test/package-exports.test.ts pins the names.

export type {
  AppConfig,
  ConsoleSinkConfig,
  CorrelationConfig,
  DeliveryConfig,
  DetectorsConfig,
  FileSinkConfig,
  PrivacyConfig,
  QueueConfig,
  ResolvedConfig,
  RouteConfig,
  RuleConfig,
  SentinelSinkConfig,
  ShutdownConfig,
  SinkConfig,
  SpoolConfig,
  TrustProxySetting,
  WatchpostFileOptions,
  WatchpostMode,
  WatchpostOptions,
  WebhookSinkConfig,
} from './config/index.js'
export { CONFIG_FILE_NAMES, DEFAULTS, findConfigFile, loadConfig, validateConfig } from './config/index.js'
export { type CorrelationSource, currentContext, type RequestContext } from './context/index.js'
export type { DeliveryDropReason, DeliveryHealth, DeliveryState } from './delivery/health.js'
export type { DetectorOverrides, RouteOptions } from './detection/route-options.js'
export {
  ConfigError,
  type ConfigErrorDetails,
  type ConfigIssue,
  ERRORS,
  WatchpostError,
  type WatchpostErrorArgs,
  type WatchpostErrorClass,
  type WatchpostErrorCode,
  type WatchpostErrorCodeOf,
  WatchpostTypeError,
} from './errors.js'
export type { EventApi, EventMethod, RequestApi, RequestHelpers } from './events/api.js'
export type { EventOptions } from './events/build.js'
export { CATALOGUE, type Catalogue, type EventName, type Namespace } from './events/catalogue/index.js'
export type { EventResult, Severity } from './events/define.js'
export type { CreateRuntime } from './instance/assemble.js'
export type { DiagnosticLogger } from './instance/diagnostics.js'
export type { JwtVerifierOptions } from './jwt/verify.js'
export type { DropReason, PipelineStats, SinkStats } from './pipeline/pipeline.js'
export type { Sink, SinkFailure } from './pipeline/types.js'
export type { RuleFiring, RuleHook, RuleStats } from './rules/engine.js'
export type { FieldName, SecurityEvent } from './schema/fields.js'
export { type VerifyWebhookSignatureOptions, verifyWebhookSignature } from './sinks/webhook-signature.js'
export type { Block, BlockTarget, StateStore, StateStoreHealth } from './state/types.js'
export { WARNINGS, type WarningCode } from './warnings.js'
export {
  createWatchpost,
  type Watchpost,
  type WatchpostHealth,
  type WatchpostRules,
  type WatchpostStats,
} from './watchpost.js'
