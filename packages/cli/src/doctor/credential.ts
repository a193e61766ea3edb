/**
 * Step 2: the credential the sink would use, built the way the sink builds it (`createCredential`
 * over the sink's own transport, so the token requests trust what the uploads trust), with what it
 * is made of said in words — and what it lacks found before any request is made.
 */
import { existsSync } from 'node:fs'
import type { TokenCredential } from '@azure/identity'
import { WatchpostError } from '@watchpost/core'
import { createCredential, createTransport, type Transport } from '@watchpost/sentinel'
import { failed, ok, type SinkTarget, type StepResult } from './types.js'

export interface CredentialOutcome {
  readonly step: StepResult
  readonly credential?: TokenCredential
  readonly transport?: Transport
}

const NAME = 'credential'
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The managed identity source @azure/identity picks from the environment, first match wins
 * (spec/azure/client-behaviour.md §6).
 */
function managedIdentitySource(env: NodeJS.ProcessEnv): string {
  if (env.IDENTITY_ENDPOINT && env.IDENTITY_HEADER && env.IDENTITY_SERVER_THUMBPRINT) return 'Service Fabric'
  if (env.IDENTITY_ENDPOINT && env.IDENTITY_HEADER) return `App Service (${env.IDENTITY_ENDPOINT})`
  if (env.MSI_ENDPOINT && env.MSI_SECRET) return 'Azure Machine Learning'
  if (env.MSI_ENDPOINT) return 'Cloud Shell'
  if (env.IDENTITY_ENDPOINT && env.IMDS_ENDPOINT) return 'Azure Arc'
  if (env.AZURE_POD_IDENTITY_AUTHORITY_HOST) return `IMDS at ${env.AZURE_POD_IDENTITY_AUTHORITY_HOST}`
  return 'the instance metadata service (IMDS) of an Azure VM, scale set or AKS node'
}

/** What `DefaultAzureCredential` will try first, from the environment (spec/azure/identity-token-acquisition.md fact 11). */
function defaultChain(env: NodeJS.ProcessEnv): { kind: string; missing: string[] } {
  const has = (name: string) => (env[name] ?? '') !== ''
  const app = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID']
  if (has('AZURE_CLIENT_SECRET'))
    return { kind: 'client secret from AZURE_CLIENT_SECRET', missing: app.filter((n) => !has(n)) }
  if (has('AZURE_CLIENT_CERTIFICATE_PATH')) {
    const path = env.AZURE_CLIENT_CERTIFICATE_PATH as string
    const missing = app.filter((n) => !has(n))
    if (!existsSync(path)) missing.push(`a readable AZURE_CLIENT_CERTIFICATE_PATH (${path} does not exist)`)
    return { kind: `client certificate from AZURE_CLIENT_CERTIFICATE_PATH (${path})`, missing }
  }
  if (has('AZURE_FEDERATED_TOKEN_FILE'))
    return { kind: 'workload identity from AZURE_FEDERATED_TOKEN_FILE', missing: app.filter((n) => !has(n)) }
  return {
    kind: `managed identity through ${managedIdentitySource(env)}, then developer sign-ins (Azure CLI, …)`,
    missing: [],
  }
}

/** The kind of credential in words, and the settings it needs but lacks. */
function inspect(
  target: SinkTarget,
  env: NodeJS.ProcessEnv,
): { kind: string; missing: string[]; notes: string[] } {
  const c = target.config.credential
  const notes: string[] = []
  switch (c.type) {
    case 'clientSecret':
      if (c.clientSecret !== undefined && GUID.test(c.clientSecret))
        notes.push(
          "credential.clientSecret has the shape of a GUID: that is how a secret's ID looks, not its value",
        )
      return {
        kind: `client secret of app ${c.clientId ?? '?'} in tenant ${c.tenantId ?? '?'}`,
        missing: (['tenantId', 'clientId', 'clientSecret'] as const)
          .filter((f) => c[f] === undefined)
          .map((f) => `credential.${f}`),
        notes,
      }
    case 'managedIdentity':
      return {
        kind: `${c.clientId === undefined ? 'system-assigned' : `user-assigned (${c.clientId})`} managed identity through ${managedIdentitySource(env)}`,
        missing: [],
        notes,
      }
    case 'workloadIdentity': {
      const file = env.AZURE_FEDERATED_TOKEN_FILE ?? ''
      const missing: string[] = []
      if (c.tenantId === undefined && (env.AZURE_TENANT_ID ?? '') === '')
        missing.push('credential.tenantId or AZURE_TENANT_ID')
      if (c.clientId === undefined && (env.AZURE_CLIENT_ID ?? '') === '')
        missing.push('credential.clientId or AZURE_CLIENT_ID')
      if (file === '') missing.push('AZURE_FEDERATED_TOKEN_FILE')
      else if (!existsSync(file)) missing.push(`the federated token file (${file} does not exist)`)
      return { kind: `workload identity (federated token ${file || '?'})`, missing, notes }
    }
    default: {
      const chain = defaultChain(env)
      return { kind: `default chain: ${chain.kind}`, missing: chain.missing, notes }
    }
  }
}

export function checkCredential(
  target: SinkTarget,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): CredentialOutcome {
  const { kind, missing, notes } = inspect(target, env)
  if (missing.length > 0) {
    return {
      step: failed(
        NAME,
        'credential-incomplete',
        `The credential (${kind}) is incomplete: it needs ${missing.join(', ')}.`,
        'Set what is missing in the sink’s `credential` or in the environment the app runs with (docs/sentinel.md, Credentials).',
      ),
    }
  }
  let transport: Transport | undefined
  try {
    // The sink's transport, its waits bounded by --timeout so that no request outlives the report.
    transport = createTransport(target.config, {
      connectTimeoutMs: timeoutMs,
      headersTimeoutMs: timeoutMs,
      bodyTimeoutMs: timeoutMs,
    })
    const credential = createCredential(target.config.credential, env, transport)
    const extra = notes.length === 0 ? '' : ` Note: ${notes.join('; ')}.`
    return { step: ok(NAME, `Built: ${kind}.${extra}`), credential, transport }
  } catch (err) {
    void transport?.close()
    if (!(err instanceof WatchpostError)) throw err
    return {
      step: failed(
        NAME,
        'credential-incomplete',
        `The credential (${kind}) cannot be built: ${err.message}`,
        'Fix the sink’s `credential` (or `tls.ca`) as the message says (docs/sentinel.md).',
      ),
    }
  }
}
