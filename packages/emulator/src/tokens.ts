/**
 * Access tokens: RS256 JWTs signed with the emulator's key, shaped like Entra v1 app tokens
 * (`aud`, `iss` https://sts.windows.net/{tid}/, `appid`, `oid`, `tid`, `iat`/`nbf`/`exp`), and their
 * verification on the ingestion side (logs-ingestion-api.md §1 "what is checked").
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { errors, exportJWK, type JWK, jwtVerify, SignJWT } from 'jose'

export const MONITOR_AUDIENCE = 'https://monitor.azure.com'

export interface TokenIssuer {
  readonly kid: string
  readonly jwk: JWK
  sign(claims: TokenClaims): Promise<string>
  verify(token: string): Promise<VerifyResult>
}

export interface TokenClaims {
  readonly audience: string
  readonly tenantId: string
  readonly appId: string
  readonly objectId: string
  /** Seconds from now. */
  readonly expiresIn: number
  /** Seconds from now (negative: in the past). */
  readonly notBefore?: number
}

/** Why a token was refused: `InvalidAudience` is the service's code (docs PR #103840); `InvalidToken` ours. */
export type VerifyResult =
  | { readonly ok: true; readonly appId: string | undefined; readonly objectId: string | undefined }
  | { readonly ok: false; readonly code: 'InvalidToken' | 'InvalidAudience'; readonly message: string }

export async function createTokenIssuer(signingKeyPem: string): Promise<TokenIssuer> {
  const privateKey: KeyObject = createPrivateKey(signingKeyPem)
  const publicKey: KeyObject = createPublicKey(privateKey)
  const der = publicKey.export({ type: 'spki', format: 'der' })
  const kid = createHash('sha256').update(der).digest('base64url').slice(0, 27)
  const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' }

  return {
    kid,
    jwk,
    async sign(claims) {
      const now = Math.floor(Date.now() / 1000)
      return new SignJWT({
        tid: claims.tenantId,
        appid: claims.appId,
        appidacr: '1',
        idtyp: 'app',
        oid: claims.objectId,
        ver: '1.0',
      })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
        .setAudience(claims.audience)
        .setIssuer(`https://sts.windows.net/${claims.tenantId}/`)
        .setSubject(claims.objectId)
        .setIssuedAt(now)
        .setNotBefore(now + (claims.notBefore ?? -60))
        .setExpirationTime(now + claims.expiresIn)
        .sign(privateKey)
    },
    async verify(token) {
      let payload: Record<string, unknown>
      try {
        ;({ payload } = await jwtVerify(token, publicKey, { algorithms: ['RS256'] }))
      } catch (err) {
        return { ok: false, code: 'InvalidToken', message: describe(err) }
      }
      const aud = payload.aud
      const audiences = Array.isArray(aud) ? aud : [aud]
      // The service accepts the resource with or without its trailing slash.
      const right = audiences.some((a) => typeof a === 'string' && a.replace(/\/$/, '') === MONITOR_AUDIENCE)
      if (!right) {
        return {
          ok: false,
          code: 'InvalidAudience',
          message: `The audience '${audiences.join(',')}' is invalid. The token must be issued for '${MONITOR_AUDIENCE}'.`,
        }
      }
      return {
        ok: true,
        appId: typeof payload.appid === 'string' ? payload.appid : undefined,
        objectId: typeof payload.oid === 'string' ? payload.oid : undefined,
      }
    },
  }
}

/** jose errors classified by their codes, never by message text. */
function describe(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'The access token has expired.'
  if (err instanceof errors.JWTClaimValidationFailed) {
    return err.claim === 'nbf'
      ? 'The access token is not yet valid (nbf).'
      : `The access token has an invalid '${err.claim}' claim.`
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'The access token signature is invalid.'
  if (err instanceof errors.JOSEAlgNotAllowed) return 'The access token is not signed with RS256.'
  return 'The access token is malformed.'
}
