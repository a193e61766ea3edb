/**
 * Step 3: an access token for the ingestion API's audience, from the credential step 2 built. A
 * refusal is named by Entra's AADSTS codes, which MSAL keeps in its message after `Error(s): `
 * (spec/azure/identity-token-acquisition.md fact 9); a failure to reach Entra at all comes out of
 * the credential as one opaque `endpoints_resolution_error` (fact 10), so then the authority is
 * probed directly — TLS first, then its discovery document — to say which it was.
 */
import { request } from 'node:https'
import { rootCertificates } from 'node:tls'
import type { AccessToken, TokenCredential } from '@azure/identity'
import { readCa } from '@watchpost/core/sdk'
import { DeadlineError, describeProbe, probeHttps, TRUST_HINT, withDeadline } from './probe.js'
import { type Cause, failed, ok, type SinkTarget, type StepResult } from './types.js'

const NAME = 'token'
const PUBLIC_AUTHORITY = 'https://login.microsoftonline.com'
export const DEFAULT_AUDIENCE = 'https://monitor.azure.com'

/** AADSTS codes that name a configuration mistake (spec/azure/identity-token-acquisition.md). */
const REFUSALS: Readonly<Record<number, { cause: Cause; detail: string; hint: string }>> = {
  7000215: {
    cause: 'wrong-secret',
    detail: 'Entra refused the client secret (AADSTS7000215: invalid client secret).',
    hint: "Copy the secret's Value (shown once, when it is created), not its Secret ID, from the app registration's Certificates & secrets page, or create a new one.",
  },
  7000222: {
    cause: 'secret-expired',
    detail: 'The client secret has EXPIRED (AADSTS7000222): it was right, but its end date has passed.',
    hint: "Create a new secret in the app registration's Certificates & secrets page, put it where the app reads it (e.g. AZURE_CLIENT_SECRET) and restart the app; note the new end date.",
  },
  700016: {
    cause: 'unknown-client',
    detail:
      'Entra does not know this client id in this tenant (AADSTS700016: application not found in the directory).',
    hint: "Use the app registration's Application (client) id — not its object id — and check that the tenant id is the directory the app is registered in.",
  },
  90002: {
    cause: 'unknown-tenant',
    detail: 'Entra does not know this tenant (AADSTS90002: tenant not found).',
    hint: 'Use the Directory (tenant) id shown on the app registration’s Overview page, and the authority host of the cloud it lives in (`credential.authorityHost`).',
  },
  500011: {
    cause: 'token-refused',
    detail: 'Entra knows no resource by the audience asked for (AADSTS500011: resource principal not found).',
    hint: 'Remove the sink’s `audience`, or set the one of your cloud (https://monitor.azure.com, https://monitor.azure.us, https://monitor.azure.cn).',
  },
  70011: {
    cause: 'token-refused',
    detail: 'Entra refused the scope asked for (AADSTS70011).',
    hint: 'Remove the sink’s `audience` option, or set the one of your cloud (https://monitor.azure.com, https://monitor.azure.us, https://monitor.azure.cn).',
  },
}

/** The AADSTS codes MSAL wrote into `message`, in order. */
export function aadstsCodes(message: string): number[] {
  const list = /Error\(s\): ([\d,]+)/.exec(message)?.[1]
  return list === undefined ? [] : list.split(',').map(Number)
}

/** The authority and tenant a client-credential flow talks to, when the credential has them. */
function authorityOf(
  target: SinkTarget,
  env: NodeJS.ProcessEnv,
): { authority: URL; tenant: string } | undefined {
  const c = target.config.credential
  if (c.type === 'managedIdentity') return undefined
  const tenant = c.tenantId ?? env.AZURE_TENANT_ID
  if (tenant === undefined || tenant === '') return undefined
  const host = c.authorityHost ?? (env.AZURE_AUTHORITY_HOST || PUBLIC_AUTHORITY)
  try {
    return { authority: new URL(host), tenant }
  } catch {
    return undefined
  }
}

/** The claims that say who the token is for (read, not verified: for the user's eyes only). */
function principalOf(token: string): string {
  try {
    const payload = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as Record<string, unknown>
    const parts = [
      typeof payload.appid === 'string' ? `app id ${payload.appid}` : undefined,
      typeof payload.oid === 'string' ? `object id ${payload.oid}` : undefined,
    ].filter((p) => p !== undefined)
    return parts.length === 0 ? '' : ` for ${parts.join(', ')}`
  } catch {
    return ''
  }
}

/**
 * Why Entra could not be asked: the authority's certificate or reachability, else what its
 * discovery document says about the tenant.
 */
async function diagnoseUnreachable(
  target: SinkTarget,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  original: string,
): Promise<StepResult> {
  const where = authorityOf(target, env)
  const generic = failed(
    NAME,
    'no-credential',
    `No token: ${original}`,
    'Check the credential’s settings and that this machine can reach Microsoft Entra ID.',
  )
  if (where === undefined) return generic
  const ca =
    target.config.tls?.ca === undefined ? undefined : readCa(target.config.tls.ca, 'watchpost doctor')
  const probe = await probeHttps(where.authority, ca, timeoutMs)
  if (!probe.ok) {
    const { cause, detail } = describeProbe('Microsoft Entra ID at', where.authority, probe)
    const hint =
      cause === 'tls-untrusted'
        ? TRUST_HINT
        : 'Check `credential.authorityHost` / AZURE_AUTHORITY_HOST, DNS, and that outbound HTTPS to it is allowed (a proxy: set http to "node" and HTTPS_PROXY).'
    return failed(NAME, cause, `No token: ${detail}`, hint)
  }
  const discovery = new URL(
    `${where.authority.origin}/${encodeURIComponent(where.tenant)}/v2.0/.well-known/openid-configuration`,
  )
  let res: { status: number; body: Record<string, unknown> }
  try {
    res = await fetchJson(discovery, ca, timeoutMs)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'ERROR'
    return code === 'ETIMEDOUT'
      ? failed(
          NAME,
          'timeout',
          `No token: Microsoft Entra ID at ${where.authority.host} accepts connections but does not answer within ${timeoutMs} ms.`,
          'Entra (or a proxy in front of it) does not answer: check outbound HTTPS to it, proxies, and --timeout.',
        )
      : failed(
          NAME,
          'unreachable',
          `No token: Microsoft Entra ID at ${where.authority.host} drops the request (${code}).`,
          'Check `credential.authorityHost` / AZURE_AUTHORITY_HOST and what stands between this machine and it.',
        )
  }
  const codes = Array.isArray(res.body.error_codes) ? (res.body.error_codes as number[]) : []
  if (res.status >= 400 && (codes.includes(90002) || res.body.error === 'invalid_tenant')) {
    const known = REFUSALS[90002]!
    return failed(NAME, known.cause, `No token: ${known.detail} (tenant ${where.tenant})`, known.hint)
  }
  if (res.status >= 400)
    return failed(
      NAME,
      'token-refused',
      `No token: Entra's discovery document for tenant ${where.tenant} answers ${res.status} ${String(res.body.error ?? '')}.`,
      'Check the tenant id and `credential.authorityHost`.',
    )
  return generic
}

/** One GET with the sink's trust (Node's roots plus `tls.ca`), for the discovery document. */
async function fetchJson(
  url: URL,
  ca: string | undefined,
  timeoutMs: number,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'GET', timeout: timeoutMs, ...(ca === undefined ? {} : { ca: [...rootCertificates, ca] }) },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          let body: Record<string, unknown> = {}
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>
          } catch {}
          resolve({ status: res.statusCode ?? 0, body })
        })
      },
    )
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })))
    req.on('error', reject)
    req.end()
  })
}

export async function checkToken(
  target: SinkTarget,
  credential: TokenCredential,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<StepResult> {
  const audience = target.config.audience ?? DEFAULT_AUDIENCE
  const scope = `${audience}/.default`
  let result: AccessToken | null
  try {
    result = await withDeadline(credential.getToken(scope), timeoutMs)
  } catch (err) {
    if (err instanceof DeadlineError) {
      const diagnosed = await diagnoseUnreachable(target, env, timeoutMs, err.message)
      if (diagnosed.cause !== 'no-credential') return diagnosed
      return failed(
        NAME,
        'timeout',
        `No token for ${scope} within ${timeoutMs} ms.`,
        'The identity provider (Entra, or the managed identity endpoint) does not answer: check outbound HTTPS, proxies, and --timeout.',
      )
    }
    const message = err instanceof Error ? err.message : String(err)
    const known = aadstsCodes(message)
      .map((code) => REFUSALS[code])
      .find((r) => r !== undefined)
    if (known !== undefined)
      return failed(NAME, known.cause, `No token for ${scope}: ${known.detail}`, known.hint)
    // MSAL's codes for "could not ask": alone, or inside the default chain's list of attempts.
    if (/\b(endpoints_resolution_error|network_error):/.test(message))
      return diagnoseUnreachable(target, env, timeoutMs, message)
    const aadsts = aadstsCodes(message)
    return failed(
      NAME,
      aadsts.length > 0 ? 'token-refused' : 'no-credential',
      `No token for ${scope}: ${message.split(' - Timestamp')[0]}`,
      aadsts.length > 0
        ? `Look up AADSTS${aadsts[0]} (https://login.microsoftonline.com/error?code=${aadsts[0]}).`
        : 'Check the credential’s settings and the environment the app runs with.',
    )
  }
  if (result === null)
    return failed(
      NAME,
      'no-credential',
      `The credential returned no token for ${scope}.`,
      'Check the credential’s settings.',
    )
  const minutes = Math.round((result.expiresOnTimestamp - Date.now()) / 60_000)
  return ok(
    NAME,
    `Got a token for ${audience}${principalOf(result.token)}, valid for ${minutes} more minutes.`,
  )
}
