/**
 * Entra ID as far as the Azure clients use it (client-behaviour.md §1, §6): the OpenID configuration
 * document, the v2.0 token endpoint (client credentials: secret or federated assertion), the signing
 * keys, and the managed identity endpoints of App Service (`IDENTITY_ENDPOINT`) and IMDS
 * (`AZURE_POD_IDENTITY_AUTHORITY_HOST`).
 *
 * The discovery document names the host the client asked for (its `Host` header), not the
 * listener's own address: MSAL accepts an issuer only on the authority's scheme, host and port
 * (spec/azure/identity-token-acquisition.md), so a client that reaches the emulator through a
 * port-forward or a proxy must be answered with the address it used.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readBody, sendJson } from './http.js'
import type { TokenIssuer } from './tokens.js'
import type { TokenFaultMode } from './types.js'

export interface EntraConfig {
  readonly url: () => string
  readonly tenantId: string
  readonly clientId: string
  readonly clientSecret: string
  readonly objectId: string
  readonly identityHeader: string
  readonly managedIdentityClientId: string
  readonly tokenLifetimeSeconds: number
  readonly issuer: TokenIssuer
  /** How Entra's routes fail now (the `token` fault), if they do. */
  readonly fault: () => TokenFaultMode | undefined
  /** Whether the client secret has passed its end date (the `secretExpired` fault). */
  readonly secretExpired: () => boolean
  /** Keeps a response unanswered until the faults change (the `hang` fault). */
  readonly hold: (res: ServerResponse) => void
}

/** A `Host` header as a client sends it: a DNS name, IPv4 or [IPv6] address, and an optional port. */
const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/i

/** `https://` and the request's `Host` when it is well formed, else `fallback` (the listener's URL). */
function originOf(req: IncomingMessage, fallback: string): string {
  const host = req.headers.host
  if (host === undefined || host.length > 261) return fallback
  const match = HOST.exec(host)
  if (match === null || (match[1] !== undefined && Number(match[1]) > 65_535)) return fallback
  return `https://${host.toLowerCase()}`
}

const ENTRA_PATHS = new Set([
  '/v2.0/.well-known/openid-configuration',
  '/discovery/v2.0/keys',
  '/oauth2/v2.0/token',
])

/** Whether `path` is one of the routes the credentials use (the `token` fault covers exactly these). */
function isEntraPath(path: string): boolean {
  if (path === '/msi/token' || path.replace(/\/$/, '') === '/metadata/identity/oauth2/token') return true
  const tenant = /^\/([^/]+)\//.exec(path)?.[1]
  return tenant !== undefined && ENTRA_PATHS.has(path.slice(tenant.length + 1))
}

/** OAuth error body in the shape Entra sends and MSAL parses (`error_codes` → AADSTS numbers). */
function sendAadError(
  res: ServerResponse,
  status: number,
  error: string,
  aadsts: number,
  text: string,
): void {
  const traceId = randomUUID()
  const correlationId = randomUUID()
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z')
  sendJson(res, status, {
    error,
    error_description: `AADSTS${aadsts}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
  })
}

/** `https://monitor.azure.com/.default` → `https://monitor.azure.com` (the token's audience). */
function audienceOf(scopeOrResource: string): string {
  return scopeOrResource.replace(/\/\.default$/, '')
}

export function createEntraHandler(config: EntraConfig) {
  const tenantPath = `/${config.tenantId}`

  async function managedIdentityToken(res: ServerResponse, resource: string | null, clientId: string | null) {
    if (resource === null || resource === '') {
      sendJson(res, 400, {
        error: 'invalid_request',
        error_description: 'Required query variable resource is missing',
      })
      return
    }
    const appId = clientId ?? config.managedIdentityClientId
    const token = await config.issuer.sign({
      audience: audienceOf(resource),
      tenantId: config.tenantId,
      appId,
      objectId: appId,
      expiresIn: config.tokenLifetimeSeconds,
    })
    // `expires_on` is what MSAL reads for managed identity; with `expires_in` alone the token counts
    // as already expired (client-behaviour.md §6).
    const expiresOn = Math.floor(Date.now() / 1000) + config.tokenLifetimeSeconds
    sendJson(res, 200, {
      access_token: token,
      expires_on: String(expiresOn),
      expires_in: String(config.tokenLifetimeSeconds),
      resource: audienceOf(resource),
      token_type: 'Bearer',
      client_id: appId,
    })
  }

  /** Returns false when the request is not for Entra. */
  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname
    const method = req.method ?? 'GET'
    const fault = isEntraPath(path) ? config.fault() : undefined
    if (fault === 'reset') {
      res.destroy()
      return true
    }
    if (fault === 'hang') {
      config.hold(res)
      return true
    }
    if (fault === 'unavailable') {
      sendAadError(
        res,
        503,
        'temporarily_unavailable',
        90_033,
        'A transient error has occurred. Please try again.',
      )
      return true
    }

    if (path === '/msi/token' && method === 'GET') {
      if (req.headers['x-identity-header'] !== config.identityHeader) {
        sendJson(res, 401, {
          statusCode: 401,
          message: 'Unauthorized request: x-identity-header is missing or wrong',
        })
        return true
      }
      await managedIdentityToken(res, url.searchParams.get('resource'), url.searchParams.get('client_id'))
      return true
    }
    if (
      (path === '/metadata/identity/oauth2/token' || path === '/metadata/identity/oauth2/token/') &&
      method === 'GET'
    ) {
      if (req.headers.metadata !== 'true') {
        sendJson(res, 400, {
          error: 'invalid_request',
          error_description: 'Required metadata header not specified',
        })
        return true
      }
      await managedIdentityToken(res, url.searchParams.get('resource'), url.searchParams.get('client_id'))
      return true
    }

    const tenant = /^\/([^/]+)\//.exec(path)?.[1]
    if (tenant === undefined) return false
    const rest = path.slice(tenant.length + 1)
    if (!ENTRA_PATHS.has(rest)) return false
    if (`/${tenant}` !== tenantPath) {
      sendAadError(res, 400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`)
      return true
    }
    const base = `${originOf(req, config.url())}${tenantPath}`

    if (rest === '/v2.0/.well-known/openid-configuration' && method === 'GET') {
      // MSAL requires exactly these four keys (client-behaviour.md §1).
      sendJson(res, 200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        issuer: `${base}/v2.0`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'],
        response_types_supported: ['code', 'id_token', 'token'],
        id_token_signing_alg_values_supported: ['RS256'],
        tenant_region_scope: 'EU',
      })
      return true
    }
    if (rest === '/discovery/v2.0/keys' && method === 'GET') {
      sendJson(res, 200, { keys: [config.issuer.jwk] })
      return true
    }
    if (rest === '/oauth2/v2.0/token' && method === 'POST') {
      const { body } = await readBody(req, 64 * 1024)
      // Unknown form fields (claims, x-client-*, client-request-id, …) are ignored, as Entra does.
      const form = new URLSearchParams(body.toString('utf8'))
      const grant = form.get('grant_type')
      if (grant !== 'client_credentials') {
        sendAadError(
          res,
          400,
          'unsupported_grant_type',
          70003,
          `The app requested an unsupported grant type '${grant}'.`,
        )
        return true
      }
      const clientId = form.get('client_id')
      if (clientId !== config.clientId) {
        sendAadError(
          res,
          400,
          'unauthorized_client',
          700016,
          `Application with identifier '${clientId}' was not found in the directory '${config.tenantId}'.`,
        )
        return true
      }
      const assertion = form.get('client_assertion')
      const assertionType = form.get('client_assertion_type')
      const federated =
        assertion !== null &&
        assertionType === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' &&
        assertion.split('.').length === 3
      if (!federated && form.get('client_secret') !== config.clientSecret) {
        sendAadError(
          res,
          401,
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${config.clientId}'.`,
        )
        return true
      }
      if (!federated && config.secretExpired()) {
        // Entra's answer to a secret past its end date: 401 invalid_client, AADSTS7000222
        // (spec/azure/identity-token-acquisition.md).
        sendAadError(
          res,
          401,
          'invalid_client',
          7000222,
          `The provided client secret keys for app '${config.clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
        )
        return true
      }
      const scope = form.get('scope') ?? ''
      const resource = scope.split(' ').find((s) => s.endsWith('/.default'))
      if (resource === undefined) {
        sendAadError(
          res,
          400,
          'invalid_scope',
          70011,
          `The provided value for the input parameter 'scope' is not valid.`,
        )
        return true
      }
      const token = await config.issuer.sign({
        audience: audienceOf(resource),
        tenantId: config.tenantId,
        appId: config.clientId,
        objectId: config.objectId,
        expiresIn: config.tokenLifetimeSeconds,
      })
      sendJson(res, 200, {
        token_type: 'Bearer',
        expires_in: config.tokenLifetimeSeconds,
        ext_expires_in: config.tokenLifetimeSeconds,
        access_token: token,
      })
      return true
    }
    return false
  }
}
