/**
 * The `@azure/identity` credential that `credential.type` selects. Fields a type does not use are
 * refused rather than ignored, so that a secret or a client id in the wrong place is noticed at
 * start-up, not as a 401/403 in production (client-behaviour.md §6 for what each credential reads).
 */
import type { HttpClient } from '@azure/core-rest-pipeline'
import {
  AzureAuthorityHosts,
  ClientSecretCredential,
  DefaultAzureCredential,
  ManagedIdentityCredential,
  type TokenCredential,
  WorkloadIdentityCredential,
} from '@azure/identity'
import { WatchpostError } from '@watchpost/core'
import type { SentinelCredentialConfig } from './types.js'

type Field = 'tenantId' | 'clientId' | 'clientSecret' | 'authorityHost'

const USED: Record<SentinelCredentialConfig['type'], readonly Field[]> = {
  default: ['tenantId', 'clientId', 'authorityHost'],
  clientSecret: ['tenantId', 'clientId', 'clientSecret', 'authorityHost'],
  managedIdentity: ['clientId'],
  workloadIdentity: ['tenantId', 'clientId', 'authorityHost'],
}

const MICROSOFT_AUTHORITIES = new Set<string>(Object.values(AzureAuthorityHosts))

function invalid(message: string): WatchpostError {
  return new WatchpostError('ERR_WATCHPOST_SINK_INVALID', `@watchpost/sentinel: ${message}`)
}

/**
 * MSAL validates an authority by asking login.microsoftonline.com (instance discovery) unless told
 * not to; for a host that is not a Microsoft cloud (the local emulator, Azure Stack) that request
 * fails and the credential reports `endpoints_resolution_error` (client-behaviour.md §6). There is
 * no environment variable for it, so it is decided here, for the host in config or in
 * `AZURE_AUTHORITY_HOST`.
 */
function authorityOptions(
  authorityHost: string | undefined,
  env: NodeJS.ProcessEnv,
): { authorityHost?: string; disableInstanceDiscovery?: boolean } {
  const host = authorityHost ?? env.AZURE_AUTHORITY_HOST
  if (host === undefined || host === '') return {}
  const origin = host.replace(/\/+$/, '')
  const options: { authorityHost?: string; disableInstanceDiscovery?: boolean } = {}
  if (authorityHost !== undefined) options.authorityHost = authorityHost
  if (!MICROSOFT_AUTHORITIES.has(origin)) options.disableInstanceDiscovery = true
  return options
}

/**
 * What the credential's own pipeline shares with the ingestion client: the same `httpClient` (and so
 * the same pool and CA), or for the SDK's client the same `tlsOptions`. The token requests must trust
 * what the ingestion requests trust, else the credential fails first (client-behaviour.md §5).
 */
export interface CredentialTransport {
  readonly httpClient?: HttpClient
  readonly tlsOptions?: { readonly ca: string | string[] }
}

export function createCredential(
  config: SentinelCredentialConfig,
  env: NodeJS.ProcessEnv = process.env,
  transport: CredentialTransport = {},
): TokenCredential {
  const pipeline = {
    // One attempt per token request: the delivery loop retries, with its backoff, and a failure
    // shows in the sink's health at once instead of after the pipeline's three retries.
    retryOptions: { maxRetries: 0 },
    ...(transport.httpClient === undefined ? {} : { httpClient: transport.httpClient }),
    ...(transport.tlsOptions === undefined ? {} : { tlsOptions: { ca: transport.tlsOptions.ca } }),
  }
  const used = USED[config.type]
  if (used === undefined) throw invalid(`unknown credential.type ${JSON.stringify(config.type)}`)
  for (const field of ['tenantId', 'clientId', 'clientSecret', 'authorityHost'] as const) {
    if (config[field] !== undefined && !used.includes(field))
      throw invalid(`credential.${field} is not used by credential.type "${config.type}"; remove it`)
  }
  switch (config.type) {
    case 'default':
      return new DefaultAzureCredential({
        ...pipeline,
        ...authorityOptions(config.authorityHost, env),
        ...(config.tenantId === undefined ? {} : { tenantId: config.tenantId }),
        // One id for both: a user-assigned managed identity, or the workload identity's app.
        ...(config.clientId === undefined
          ? {}
          : { managedIdentityClientId: config.clientId, workloadIdentityClientId: config.clientId }),
      })
    case 'clientSecret': {
      const { tenantId, clientId, clientSecret } = config
      if (tenantId === undefined || clientId === undefined || clientSecret === undefined) {
        const missing = (['tenantId', 'clientId', 'clientSecret'] as const).filter(
          (f) => config[f] === undefined,
        )
        throw invalid(
          `credential.type "clientSecret" needs ${missing.map((f) => `credential.${f}`).join(', ')}`,
        )
      }
      return new ClientSecretCredential(tenantId, clientId, clientSecret, {
        ...pipeline,
        ...authorityOptions(config.authorityHost, env),
      })
    }
    case 'managedIdentity':
      return config.clientId === undefined
        ? new ManagedIdentityCredential(pipeline)
        : new ManagedIdentityCredential({ ...pipeline, clientId: config.clientId })
    case 'workloadIdentity':
      return new WorkloadIdentityCredential({
        ...pipeline,
        ...authorityOptions(config.authorityHost, env),
        ...(config.tenantId === undefined ? {} : { tenantId: config.tenantId }),
        ...(config.clientId === undefined ? {} : { clientId: config.clientId }),
      })
  }
}
