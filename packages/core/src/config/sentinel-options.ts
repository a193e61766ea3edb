// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the configuration file's substitution syntax, not a template
/**
 * Options of the `sentinel` sink (`@watchpost/sentinel`). They live in core so that one schema gives
 * the types, the validator, `schema/config.schema.json` and `docs/configuration.md`; core never imports
 * the cloud package itself (watchpost.ts loads it only when a `sentinel` sink is configured).
 * Facts: spec/azure/logs-ingestion-api.md (§1 endpoint, DCR id, audiences), spec/azure/client-behaviour.md §6.
 */
import { Type } from '@sinclair/typebox'
import { Default, Section, Strict } from './schema-kit.js'
import { sinkTlsSchema } from './tls-options.js'

const stream = (schema: string) =>
  Type.Optional(
    Type.String({
      minLength: 1,
      description: `Input stream for ${schema} events; default \`Custom-Watchpost${schema}\`.`,
    }),
  )

export const sentinelCredentialSchema = Section(
  {
    type: Default.Enum(['default', 'clientSecret', 'managedIdentity', 'workloadIdentity'], {
      default: 'default',
      description:
        '`default`: `DefaultAzureCredential` (environment, workload identity, managed identity, Azure CLI, …). `clientSecret`: an app registration and its secret (needs `tenantId`, `clientId`, `clientSecret`). `managedIdentity`: system-assigned, or user-assigned with `clientId`. `workloadIdentity`: AKS federated token (`AZURE_FEDERATED_TOKEN_FILE`).',
    }),
    tenantId: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'Microsoft Entra tenant (directory) id. Required for `clientSecret`; for `workloadIdentity` it defaults to `AZURE_TENANT_ID`.',
        examples: ['${AZURE_TENANT_ID}'],
      }),
    ),
    clientId: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'Application (client) id: of the app registration (`clientSecret`, `workloadIdentity`), or of a user-assigned managed identity (`managedIdentity`, `default`).',
        examples: ['${AZURE_CLIENT_ID}'],
      }),
    ),
    clientSecret: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'Client secret, only with `clientSecret`. Keep it out of the file: use `${AZURE_CLIENT_SECRET}`.',
        examples: ['${AZURE_CLIENT_SECRET}'],
      }),
    ),
    authorityHost: Type.Optional(
      Type.String({
        pattern: '^https://',
        description:
          'Microsoft Entra authority host, e.g. `https://login.microsoftonline.us` (US Government) or `https://login.chinacloudapi.cn` (China); default `AZURE_AUTHORITY_HOST`, else the public cloud. A host that is not a Microsoft cloud (the local emulator) turns off MSAL instance discovery.',
      }),
    ),
  },
  { description: 'How the sink authenticates to Microsoft Entra ID.' },
)

export const sentinelSinkSchema = Strict(
  {
    type: Type.Literal('sentinel', {
      description:
        'Selects the Microsoft Sentinel sink (Azure Monitor Logs Ingestion); needs `@watchpost/sentinel`.',
    }),
    endpoint: Type.String({
      pattern: '^https://',
      description:
        "Logs ingestion URL: the DCR's `endpoints.logsIngestion` (a `kind: Direct` DCR) or a data collection endpoint's `logsIngestion.endpoint`.",
      examples: [
        '${WATCHPOST_INGESTION_ENDPOINT}',
        'https://my-dce-a1b2.westeurope-1.ingest.monitor.azure.com',
      ],
    }),
    dcrImmutableId: Type.String({
      pattern: '^dcr-[0-9a-f]{32}$',
      description:
        "The data collection rule's `immutableId` (`dcr-` + 32 hex digits; not its ARM resource id).",
      examples: ['${WATCHPOST_DCR_IMMUTABLE_ID}'],
    }),
    tables: Default.Enum(['asim', 'custom'], {
      default: 'asim',
      description:
        '`asim`: each event goes to the input stream of its ASIM table (ASimWebSessionLogs, ASimAuthenticationEventLogs, ASimAuditEventLogs, ASimUserManagementActivityLogs) with exactly those columns. `custom`: every event, every column, to one stream for `WatchpostSecurityEvents_CL`.',
    }),
    streams: Type.Optional(
      Strict(
        {
          WebSession: stream('WebSession'),
          Authentication: stream('Authentication'),
          AuditEvent: stream('AuditEvent'),
          UserManagement: stream('UserManagement'),
          custom: Type.Optional(
            Type.String({
              minLength: 1,
              description: 'Input stream of `tables: custom`; default `Custom-WatchpostSecurityEvents`.',
            }),
          ),
        },
        { description: "Input stream names when the DCR's differ from Watchpost's." },
      ),
    ),
    credential: sentinelCredentialSchema,
    http: Default.Enum(['undici', 'node'], {
      default: 'undici',
      description:
        "HTTP client of the Azure pipeline, for the ingestion client and the credential alike. `undici`: a keep-alive pool on undici with connect/headers/body timeouts (same throughput as `node`, half the p99 and less memory with uploads in flight, see docs/sentinel.md#http-client). `node`: the Azure SDK's default `https` client; choose it behind an `HTTPS_PROXY`, which the undici client does not honour.",
    }),
    tls: sinkTlsSchema(
      "Extra CA certificate to trust, added to Node's bundled roots for this sink's connections only (ingestion and token requests): a PEM file path, or the PEM text itself. For the local emulator, its `caPath`; no `NODE_EXTRA_CA_CERTS` needed. Never disables verification.",
      ['${WATCHPOST_CA_PATH}', '/etc/watchpost/emulator-ca.pem'],
    ),
    audience: Type.Optional(
      Type.String({
        pattern: '^https://',
        description:
          'Token audience of the ingestion API; default `https://monitor.azure.com`. Sovereign clouds: `https://monitor.azure.us`, `https://monitor.azure.cn`.',
      }),
    ),
  },
  {
    description:
      'Sends events to Microsoft Sentinel through the Azure Monitor Logs Ingestion API (`@watchpost/sentinel`, docs/sentinel.md).',
  },
)
