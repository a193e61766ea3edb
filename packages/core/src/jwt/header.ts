/**
 * The `alg` of a JWT's protected header, for the record of an `alg_not_allowed` failure. Only the
 * header segment is decoded, never the claims or the signature. The value is the client's claim,
 * not a verified fact, and lands in an event: it is bounded and reduced to the characters
 * algorithm names are made of (`HS256`, `RSA-OAEP`, `none`); any other character becomes `?`.
 */

/** A real protected header is well under this; a longer one is not decoded at all. */
const MAX_HEADER_CHARS = 1024
const MAX_ALGORITHM_CHARS = 32
const NOT_ALGORITHM_CHARS = /[^A-Za-z0-9+._-]/g

export function tokenAlgorithm(token: string): string | undefined {
  const dot = token.indexOf('.')
  if (dot <= 0 || dot > MAX_HEADER_CHARS) return undefined
  let header: unknown
  try {
    header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
  if (header === null || typeof header !== 'object' || !Object.hasOwn(header, 'alg')) return undefined
  const alg = (header as { alg: unknown }).alg
  if (typeof alg !== 'string' || alg === '') return undefined
  return alg.slice(0, MAX_ALGORITHM_CHARS).replace(NOT_ALGORITHM_CHARS, '?')
}

/**
 * The algorithm of the token an error refused, for errors of the verifier (verify.ts): jose's
 * error does not name it, and the token may not be the request's bearer token. Keyed by the error
 * object, so it goes with it; nothing is added to the error the app gets.
 */
const refused = new WeakMap<object, string>()

export function noteRefusedAlgorithm(err: unknown, token: string): void {
  const alg = tokenAlgorithm(token)
  if (alg !== undefined && err !== null && typeof err === 'object') refused.set(err, alg)
}

export function refusedAlgorithm(err: unknown): string | undefined {
  return err !== null && typeof err === 'object' ? refused.get(err) : undefined
}
