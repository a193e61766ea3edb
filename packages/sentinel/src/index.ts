// Public entry point of @watchpost/sentinel: explicit re-exports, each value with its types.
// Loading it registers the `sentinel` sink type with @watchpost/core (register.ts); core loads it
// itself when a configuration names a `sentinel` sink.
import './register.js'

export { createCredential } from './credential.js'
export { sentinelSinkType } from './register.js'
// For tools that check a sink's configuration the way the sink itself runs it (`watchpost doctor`):
// the stream and row each event becomes, and the HTTP transport both pipelines share.
export { createPrepare, type Prepare } from './route.js'
export { classifyUploadError, createSentinelDestination, MAX_REQUEST_BYTES } from './sentinel-destination.js'
export { createTransport, type Transport, type TransportTimeouts } from './transport.js'
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
