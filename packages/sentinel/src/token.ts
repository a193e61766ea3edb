/**
 * Getting the access token, as the delivery loop needs it: a failure says that the token is what
 * failed, is told apart as a refusal or a fault worth retrying, and never outlives its request.
 * @azure/identity's client-credential flow ignores the caller's abort signal and, by default,
 * retries a token request three times inside one `getToken`
 * (spec/azure/identity-token-acquisition.md): an unreachable token endpoint would hold a request,
 * and keep the sink `healthy`, for as long as those attempts last.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity'
import { DeliveryError } from '@watchpost/core/sdk'

/**
 * The OAuth 2.0 error codes of a token request the server refused (RFC 6749 §5.2): a wrong secret,
 * an unknown client or tenant, a scope it will not grant. Anything else — `network_error`,
 * `temporarily_unavailable`, `endpoints_resolution_error` — is a fault that may pass.
 */
const REFUSALS: ReadonlySet<string> = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
])

/**
 * A credential's failure as a `DeliveryError`: `auth` when the identity provider refused (a 4xx
 * other than 408/429, or one of the refusal codes MSAL puts first in its message: `<code>: …`),
 * else `retry`.
 */
export function tokenFailure(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err
  const { message, statusCode } = (err ?? {}) as { message?: unknown; statusCode?: unknown }
  const text = typeof message === 'string' ? message : String(err)
  const code = /^([a-z_]+):/.exec(text)?.[1]
  const refused =
    typeof statusCode === 'number'
      ? statusCode >= 400 && statusCode < 500 && statusCode !== 408 && statusCode !== 429
      : code !== undefined && REFUSALS.has(code)
  return refused
    ? new DeliveryError('auth', `credential refused: ${text}`, { cause: err })
    : new DeliveryError('retry', `no access token: ${text}`, { cause: err })
}

/** `credential` with failures classified by `tokenFailure`, giving up when the request's signal aborts. */
export function guardCredential(credential: TokenCredential): TokenCredential {
  return {
    getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      const token = credential.getToken(scopes, options)
      const signal = options?.abortSignal
      if (signal === undefined)
        return token.catch((err: unknown) => {
          throw tokenFailure(err)
        })
      return new Promise((resolve, reject) => {
        const onAbort = () => {
          // The credential goes on in the background; its outcome no longer matters.
          token.catch(() => {})
          const { reason } = signal as { reason?: unknown }
          const why = reason instanceof Error ? reason.message : 'the request was aborted'
          reject(new DeliveryError('retry', `no access token: ${why}`))
        }
        if (signal.aborted) return onAbort()
        signal.addEventListener('abort', onAbort, { once: true })
        token.then(
          (value) => {
            signal.removeEventListener('abort', onAbort)
            resolve(value)
          },
          (err: unknown) => {
            signal.removeEventListener('abort', onAbort)
            reject(tokenFailure(err))
          },
        )
      })
    },
  }
}
