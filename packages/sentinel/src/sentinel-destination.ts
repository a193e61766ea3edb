/**
 * The `sentinel` destination: one Logs Ingestion request per request the delivery loop (core,
 * `createDeliverySink`) cuts, sent through a `LogsIngestionClient`'s pipeline and authenticated by the
 * credential `credential.type` selects. The loop hands over rows of one stream whose JSON is at most
 * 1,000,000 bytes — what the client's own chunker would make one request of (client-behaviour.md §2) —
 * already serialised; they go as that body (ingest-request.ts), gzipped by the client's policy.
 * Everything else — batching, retry, spool, dead letters — is the loop's.
 */
import { LogsIngestionClient, type LogsIngestionClientOptions } from '@azure/monitor-ingestion'
import { WatchpostTypeError } from '@watchpost/core'
import { type DeliveryError, type Destination, statusError, toDeliveryError } from '@watchpost/core/sdk'
import { createCredential } from './credential.js'
import { createIngestRequest } from './ingest-request.js'
import { createPrepare } from './route.js'
import { guardCredential, tokenFailure } from './token.js'
import { createTransport } from './transport.js'
import type { SentinelSinkConfig, SentinelSinkOverrides } from './types.js'

/** The service's limit is 1 MB (1,048,576 bytes); the client cuts at 1,000,000 bytes of JSON, so do we. */
export const MAX_REQUEST_BYTES = 1_000_000

function assertConfig(config: SentinelSinkConfig): void {
  if (config === null || typeof config !== 'object')
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_SENTINEL_OPTIONS_INVALID',
      'config must be the options object of a sentinel sink',
    )
  if (typeof config.endpoint !== 'string' || !config.endpoint.startsWith('https://'))
    throw new WatchpostTypeError('ERR_WATCHPOST_SENTINEL_OPTIONS_INVALID', 'endpoint must be an https:// URL')
  if (typeof config.dcrImmutableId !== 'string' || config.dcrImmutableId === '')
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_SENTINEL_OPTIONS_INVALID',
      'dcrImmutableId must be a non-empty string',
    )
  if (config.tables !== 'asim' && config.tables !== 'custom')
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_SENTINEL_OPTIONS_INVALID',
      'tables must be "asim" or "custom"',
    )
  if (config.http !== undefined && config.http !== 'undici' && config.http !== 'node')
    throw new WatchpostTypeError('ERR_WATCHPOST_SENTINEL_OPTIONS_INVALID', 'http must be "undici" or "node"')
  if (config.tls?.ca !== undefined && (typeof config.tls.ca !== 'string' || config.tls.ca === ''))
    throw new WatchpostTypeError(
      'ERR_WATCHPOST_SENTINEL_OPTIONS_INVALID',
      'tls.ca must be a PEM file path or PEM text',
    )
}

/** What @azure/identity's credentials throw (by name: the destination may be given any credential). */
const CREDENTIAL_ERRORS: ReadonlySet<string> = new Set([
  'AuthenticationRequiredError',
  'AuthenticationError',
  'CredentialUnavailableError',
])

interface RestErrorLike {
  readonly statusCode?: number
  readonly code?: string
  readonly message: string
  readonly response?: { readonly headers: { get(name: string): string | undefined } }
}

/**
 * The failure of one upload as a `DeliveryError`. A response status decides (classify.ts); without
 * one, a credential's failure is classified by `tokenFailure` — `auth` when Entra refused (wrong
 * secret, unknown client), `retry` when it could not be asked or answered 5xx — and anything else
 * (network errors, timeouts) is `retry`.
 */
export function classifyUploadError(cause: unknown): DeliveryError {
  const err = cause as RestErrorLike
  if (typeof err?.statusCode === 'number' && err.response !== undefined) {
    const text = err.code === undefined ? err.message : `${err.code}: ${err.message}`
    return statusError(
      err.statusCode,
      `HTTP ${err.statusCode} ${text}`,
      (name) => err.response!.headers.get(name),
      cause,
    )
  }
  if (CREDENTIAL_ERRORS.has((cause as Error | undefined)?.name ?? '')) return tokenFailure(cause)
  return toDeliveryError(cause)
}

/** Creates the destination the `sentinel` entry of `sinks` describes; core wraps it in its delivery loop. */
export function createSentinelDestination(
  config: SentinelSinkConfig,
  overrides: SentinelSinkOverrides = {},
): Destination {
  assertConfig(config)
  // One transport for both pipelines: the token requests go where the uploads go and must trust the
  // same CA; with undici they also share its keep-alive pool.
  const transport = createTransport(config)
  const credential = guardCredential(
    overrides.credential ?? createCredential(config.credential, process.env, transport),
  )
  const clientOptions: LogsIngestionClientOptions = {
    ...(transport.httpClient === undefined ? {} : { httpClient: transport.httpClient }),
    ...(transport.tlsOptions === undefined ? {} : { tlsOptions: { ca: transport.tlsOptions.ca } }),
    ...overrides.clientOptions,
    // The client's retry policy is turned off on purpose: the delivery loop retries every failure
    // itself, with full jitter, honouring Retry-After, keeping the data in the spool meanwhile — and
    // it retries what the client would not (a 429 without Retry-After, client-behaviour.md §3).
    // Both on would multiply: 4 client attempts inside each of the loop's.
    retryOptions: { maxRetries: 0 },
    ...(config.audience === undefined ? {} : { audience: config.audience }),
  }
  const client = new LogsIngestionClient(config.endpoint, credential, clientOptions)
  const ingest = createIngestRequest(client, config.endpoint, clientOptions)
  const { dcrImmutableId } = config

  return {
    name: `sentinel:${dcrImmutableId}`,
    key: `sentinel:${config.endpoint}:${dcrImmutableId}`,
    maxRequestBytes: MAX_REQUEST_BYTES,
    prepare: createPrepare(config),
    async send(batch, signal) {
      try {
        await ingest(dcrImmutableId, batch.partition, batch.bodyBytes(), signal)
      } catch (err) {
        throw classifyUploadError(err)
      }
    },
    // The loop awaits its requests before closing the destination, so only the undici pool's idle
    // sockets are left to release (the SDK's idle sockets do not hold the process).
    close: () => transport.close(),
  }
}
