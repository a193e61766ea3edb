// `@watchpost/core/sdk`: for authors of framework adapters and sinks (docs/architecture.md).
// An app needs only `@watchpost/core`. Explicit re-exports, each value with its types;
// test/package-exports.test.ts pins the names.

// Content generators (Sentinel analytics rules, deployment templates): the rule model and the
// event catalogue's schema of each event.
export { DEFAULT_RULES } from './config/default-rules.js'
export { type ResolvedRule, type Rule, resolveRules } from './config/rules.js'
// Adapters: the contract given at creation, the signals, the context and shared helpers.
export {
  type ContextStore,
  propertyStore,
  type RouteReader,
} from './context/request-context.js'
export { type ContextState, kContext, kOwner } from './context/state.js'
// Sinks: the registry, the destination contract, delivery errors, the HTTP pool, TLS, the event's
// projections.
export { retryAfterMs, statusError, toDeliveryError } from './delivery/classify.js'
export type {
  DeliveryHooks,
  DeliverySink,
} from './delivery/delivery-sink.js'
export {
  createHttpPool,
  type HttpPool,
  type HttpPoolOptions,
  type HttpRequestOptions,
} from './delivery/http-pool.js'
export {
  batchOf,
  DeliveryError,
  type Destination,
  type FailureKind,
  type OutgoingBatch,
} from './delivery/types.js'
export type { Detection, RouteScope, Signals } from './detection/engine.js'
export { observeClientErrors } from './detection/observe-server.js'
export { type AllowedOrigins, compileOriginCheck } from './detection/origin-check.js'
export type {
  BodyErrorInfo,
  ClientErrorInfo,
  CorsCheckInfo,
  JwtFailReason,
  JwtFailureInfo,
  MalformedBodyReason,
  RateLimitInfo,
  ResponseLike,
} from './detection/types.js'
export {
  type AdapterContract,
  type AdapterCore,
  assemble as createAdapterCore,
  type Refusal,
} from './instance/assemble.js'
export { ENGINE_EVENTS, FIRING_EVENTS } from './rules/engine.js'
export type { ColumnType } from './schema/fields.js'
export {
  ASIM_PROJECTIONS,
  ASIM_SCHEMAS,
  type AsimProjection,
  type AsimSchema,
  CUSTOM_COLUMNS,
  CUSTOM_STREAM,
  CUSTOM_TABLE,
  type DcrStream,
  dcrStreams,
  type FieldPlacement,
  projectToAsim,
} from './schema/projections.js'
export { takesColour } from './sinks/console.js'
export { registerSinkType, type SinkType } from './sinks/registry.js'
export { readCa, secureContextWithCa } from './sinks/tls-ca.js'
// Tools that read what a remote sink left on disk (the CLI's `replay`): the spool itself, whose
// records are `<partition>\n<row JSON>` as the sink's destination prepared them (docs/spool.md).
export { createSpool, type Spool, type SpoolOptions, type SpoolStats } from './spool/index.js'
// Shared state stores (rules' windows, claims, blocks): the contract and the in-process store.
export { blockKey, MemoryStateStore, type MemoryStateStoreOptions } from './state/memory.js'
export type {
  Block,
  BlockChange,
  BlockTarget,
  MaybePromise,
  StateStore,
  StateStoreHealth,
  WindowEntry,
} from './state/types.js'
export {
  type WarningArg,
  type WarningCode,
  type WarningScope,
  warnOnce,
} from './warnings.js'
