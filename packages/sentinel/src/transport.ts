/**
 * The HTTP transport the sink's two pipelines share — the ingestion client's and the credential's —
 * from `http` and `tls.ca`. The CA is given to the clients only: nothing here changes process-wide
 * TLS settings, so a process can talk to the emulator without NODE_EXTRA_CA_CERTS and every other
 * connection of the app keeps Node's defaults (client-behaviour.md §5).
 */
import { rootCertificates } from 'node:tls'
import type { HttpClient } from '@azure/core-rest-pipeline'
import { readCa } from '@watchpost/core/sdk'
import type { SentinelSinkConfig, UndiciHttpClientOptions } from './types.js'
import { createUndiciHttpClient } from './undici-http-client.js'

/**
 * docs/sentinel.md#http-client: same throughput as the SDK's client, half its p99 and less memory with
 * uploads in flight, and requests bounded by timeouts (the SDK's client sets none for ingestion).
 */
export const DEFAULT_HTTP = 'undici' satisfies SentinelSinkConfig['http']

export interface Transport {
  readonly httpClient?: HttpClient
  readonly tlsOptions?: { readonly ca: string[] }
  close(): Promise<void>
}

/** Timeouts of the undici client (ignored with `http: node`, whose client sets none). */
export type TransportTimeouts = Pick<
  UndiciHttpClientOptions,
  'connectTimeoutMs' | 'headersTimeoutMs' | 'bodyTimeoutMs'
>

/**
 * The transport the sink's `http` and `tls` describe. `timeouts` replace the undici client's
 * defaults, for a caller that must not wait longer than it promised (`watchpost doctor --timeout`).
 */
export function createTransport(
  config: Pick<SentinelSinkConfig, 'http' | 'tls'>,
  timeouts: TransportTimeouts = {},
): Transport {
  const http = config.http ?? DEFAULT_HTTP
  const ca = config.tls?.ca === undefined ? undefined : readCa(config.tls.ca, '@watchpost/sentinel')
  if (http === 'node') {
    // The SDK's client spreads tlsOptions into its keep-alive https.Agent; `ca` replaces the roots
    // there, so the bundled ones are added back to keep trusting the real Microsoft endpoints.
    return {
      ...(ca === undefined ? {} : { tlsOptions: { ca: [...rootCertificates, ca] } }),
      async close() {},
    }
  }
  const httpClient = createUndiciHttpClient({ ...timeouts, ...(ca === undefined ? {} : { ca }) })
  return { httpClient, close: () => httpClient.close() }
}
