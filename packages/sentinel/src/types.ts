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

/** What code may add to a configured sink; nothing here can be set from a configuration file. */
export interface SentinelSinkOverrides {
  /** A credential to use instead of the one `credential.type` selects (any `@azure/identity` credential). */
  readonly credential?: TokenCredential
  /**
   * Options for the `LogsIngestionClient` pipeline (`retryOptions`, `tlsOptions`, `proxyOptions`,
   * `httpClient`, …). `audience` from the config wins over one given here.
   */
  readonly clientOptions?: LogsIngestionClientOptions
}
