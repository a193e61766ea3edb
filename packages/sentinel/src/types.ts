import type { HttpClient } from '@azure/core-rest-pipeline'
import type { TokenCredential } from '@azure/identity'
import type { LogsIngestionClientOptions } from '@azure/monitor-ingestion'
import type { SinkConfig } from '@watchpost/core'

/**
 * Options of the `sentinel` sink after validation and defaults — the entry of `sinks` with
 * `type: 'sentinel'`. The schema, its descriptions and defaults live in core
 * (`packages/core/src/config/sentinel-options.ts`, documented in docs/configuration.md).
 */
export type SentinelSinkConfig = Extract<SinkConfig, { readonly type: 'sentinel' }>

export type SentinelCredentialConfig = SentinelSinkConfig['credential']

/** Table mode: `asim` routes per ASIM table, `custom` sends every column to one custom table. */
export type SentinelTables = SentinelSinkConfig['tables']

/** Which HTTP client the Azure pipeline uses: `undici` (`createUndiciHttpClient`) or the SDK's `node` one. */
export type SentinelHttp = SentinelSinkConfig['http']

/** Options of `createUndiciHttpClient`; every one optional. */
export interface UndiciHttpClientOptions {
  /** Extra CA (PEM text) trusted on this client's connections only, on top of Node's bundled roots. */
  readonly ca?: string | Buffer
  /** TCP + TLS connect timeout; default 10,000 ms. Fails with `ETIMEDOUT` (retried by the pipeline). */
  readonly connectTimeoutMs?: number
  /** Time from request sent to response headers; default 30,000 ms. Fails with `ETIMEDOUT`. */
  readonly headersTimeoutMs?: number
  /** Longest gap between two body chunks; default 30,000 ms. Fails with `ETIMEDOUT`. */
  readonly bodyTimeoutMs?: number
  /** Keep-alive sockets per origin (ingestion endpoint, token endpoint); default 16. */
  readonly connections?: number
}

/** An `HttpClient` for `@azure/core-rest-pipeline` that owns its undici pool; `close()` releases it. */
export interface UndiciHttpClient extends HttpClient {
  /** Waits for requests in flight, then closes the pooled sockets; later requests fail. */
  close(): Promise<void>
}

/** What code may add to a configured sink; nothing here can be set from a configuration file. */
export interface SentinelSinkOverrides {
  /** A credential to use instead of the one `credential.type` selects (any `@azure/identity` credential). */
  readonly credential?: TokenCredential
  /**
   * Options for the `LogsIngestionClient` pipeline (`tlsOptions`, `proxyOptions`, `httpClient`, …).
   * `audience` from the config wins over one given here, and `retryOptions` is always
   * `{ maxRetries: 0 }`: the delivery loop does the retrying.
   */
  readonly clientOptions?: LogsIngestionClientOptions
}
