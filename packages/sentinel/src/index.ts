// Public entry point of @watchpost/sentinel: explicit re-exports, each value with its types.
// Loading it registers the `sentinel` sink type with @watchpost/core (register.ts); core loads it
// itself when a configuration names a `sentinel` sink.
import './register.js'

export { createCredential } from './credential.js'
export { sentinelSinkType } from './register.js'
export { classifyUploadError, createSentinelDestination, MAX_REQUEST_BYTES } from './sentinel-destination.js'
export type {
  SentinelCredentialConfig,
  SentinelHttp,
  SentinelSinkConfig,
  SentinelSinkOverrides,
  SentinelTables,
  UndiciHttpClient,
  UndiciHttpClientOptions,
} from './types.js'
export { createUndiciHttpClient } from './undici-http-client.js'
