// Public entry point of @watchpost/sentinel: explicit re-exports, each value with its types.

export { createCredential } from './credential.js'
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
