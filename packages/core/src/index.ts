// Public entry point of @watchpost/core: explicit re-exports, each value with its types.

export type {
  AppConfig,
  ConsoleSinkConfig,
  CorrelationConfig,
  DeliveryConfig,
  DetectorsConfig,
  FileSinkConfig,
  LoadRuntime,
  PrivacyConfig,
  QueueConfig,
  ResolvedConfig,
  RouteConfig,
  RuleConfig,
  ShutdownConfig,
  SinkConfig,
  SpoolConfig,
  TrustProxySetting,
  WatchpostFileOptions,
  WatchpostMode,
  WatchpostOptions,
  WebhookSinkConfig,
} from './config/index.js'
export {
  CONFIG_FILE_NAMES,
  CONFIG_WARNINGS,
  type ConfigWarning,
  DEFAULTS,
  findConfigFile,
  loadConfig,
  optionsSchema,
  validateConfig,
} from './config/index.js'
export {
  type AsyncContext,
  type ContextFactory,
  type ContextFactoryOptions,
  type ContextStore,
  type CorrelationSource,
  compileTrustProxy,
  createAsyncContext,
  createContextFactory,
  currentContext,
  generateCorrelationId,
  parseTraceparent,
  propertyStore,
  type RequestContext,
  resolveClientAddress,
  type Traceparent,
  validateRequestId,
} from './context/index.js'
export { type BackoffOptions, backoffDelay } from './delivery/backoff.js'
export { kindOfStatus, retryAfterMs, statusError, toDeliveryError } from './delivery/classify.js'
export {
  createDeliverySink,
  type DeliveryHooks,
  type DeliveryOptions,
  type DeliverySink,
} from './delivery/delivery-sink.js'
export type { DeliveryDropReason, DeliveryHealth, DeliveryState } from './delivery/health.js'
export { MemoryStore, type MemoryStoreOptions } from './delivery/memory-store.js'
export { renderMetrics } from './delivery/metrics.js'
export { TRIM_MARK, trimRow } from './delivery/trim.js'
export {
  batchOf,
  DeliveryError,
  type Destination,
  type FailureKind,
  type NewRecord,
  type OutgoingBatch,
  type RecordStore,
  type SeverityRank,
  type StoreDropReason,
  type StoredRecord,
  type StoreStats,
} from './delivery/types.js'
export { clientErrorInfo } from './detection/client-error.js'
export { DETECTORS, type Detection, type DetectorOverrides } from './detection/engine.js'
export { observeClientErrors } from './detection/observe-server.js'
export type {
  BodyErrorInfo,
  ClientErrorInfo,
  CorsCheckInfo,
  DetectorDefinition,
  DetectorDeps,
  DetectorHandlers,
  JwtFailReason,
  JwtFailureInfo,
  MalformedBodyReason,
  RateLimitInfo,
  ResponseLike,
} from './detection/types.js'
export { classifyBodyError } from './detectors/body-errors.js'
export { isScannerPath } from './detectors/scanner-paths.js'
export { ConfigError, type ConfigIssue, WatchpostError, type WatchpostErrorCode } from './errors.js'
export type { EventApi, EventMethod, RequestApi, RequestHelpers } from './events/api.js'
export { type AppIdentity, type EventOptions, PRODUCT } from './events/build.js'
export {
  CATALOGUE,
  type Catalogue,
  EVENTS_BY_NAME,
  type EventName,
  JWT_FAIL_REASONS,
  LOGIN_FAIL_REASONS,
  MALFORMED_BODY_REASONS,
  type Namespace,
  PROTOCOL_VIOLATIONS,
} from './events/catalogue/index.js'
export type { EventDef, EventResult, OwaspLevel, ParamDef, ParamsOf, Severity } from './events/define.js'
export { uuidv7, uuidv7Time } from './events/uid.js'
export { classifyJwtError } from './jwt/classify.js'
export { bearerToken, createJwtVerify, type JwtVerifierOptions, type VerifyJwt } from './jwt/verify.js'
export {
  type DropReason,
  Pipeline,
  type PipelineHooks,
  type PipelineOptions,
  type PipelineStats,
  type SinkStats,
} from './pipeline/pipeline.js'
export {
  compileRedactor,
  DEFAULT_REDACTION_OPTIONS,
  type JsonValue,
  type RedactionOptions,
  type Redactor,
} from './redaction/index.js'
export { eventJsonSchema } from './schema/event-json-schema.js'
export { type ColumnType, FIELD_NAMES, FIELDS, type FieldName, type SecurityEvent } from './schema/fields.js'
export {
  ASIM_PROJECTIONS,
  ASIM_SCHEMAS,
  type AsimProjection,
  type AsimSchema,
  CUSTOM_COLUMNS,
  CUSTOM_STREAM,
  CUSTOM_TABLE,
  type FieldPlacement,
  projectToAsim,
} from './schema/projections.js'
export { type ConsoleSinkOptions, createConsoleSink, formatPretty } from './sinks/console.js'
export { createFileSink, type FileSinkOptions } from './sinks/file.js'
export { readCa, secureContextWithCa } from './sinks/tls-ca.js'
export type { Sink, SinkFailure } from './sinks/types.js'
export { createWebhookDestination } from './sinks/webhook.js'
export { type VerifyWebhookSignatureOptions, verifyWebhookSignature } from './sinks/webhook-signature.js'
export { kContext } from './symbols.js'
export {
  type CreateRuntime,
  createWatchpost,
  type Watchpost,
  type WatchpostHealth,
  type WatchpostStats,
} from './watchpost.js'
