// Public entry point of @watchpost/emulator: explicit re-exports, each value with its types.

export { compileDcr, defaultDcr } from './dcr.js'
export { DEFAULTS, startEmulator } from './emulator.js'
export { EmulatorError, type EmulatorErrorCode } from './errors.js'
export { API_VERSIONS, MAX_BODY_BYTES } from './ingest.js'
export { runTestsTrustingEmulator, runTrustingEmulator } from './run-trusting.js'
export { type EmulatorTarget, emulatorTarget, sentinelSinkFor } from './sink-config.js'
export { DEFAULT_TLS_DIR, ensureTls, type TlsMaterial } from './tls.js'
export { MONITOR_AUDIENCE } from './tokens.js'
export type {
  DcrColumn,
  DcrColumnType,
  DcrDefinition,
  Emulator,
  EmulatorOptions,
  EmulatorStore,
  FaultConfig,
  RejectRule,
  RequestRecord,
  RowQuery,
  StoredRow,
  StreamInfo,
  TokenClaimsOptions,
  TokenFaultMode,
  ValidationMode,
} from './types.js'
export { MAX_FIELD_BYTES } from './validate.js'
