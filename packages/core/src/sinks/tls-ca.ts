/**
 * The `tls.ca` option of remote sinks (webhook here, sentinel in @watchpost/sentinel): an extra CA
 * trusted by that sink's connections only, on top of Node's bundled roots — never a process-wide
 * setting, never verification turned off.
 */
import { readFileSync } from 'node:fs'
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls'
import { WatchpostError } from '../errors.js'

/**
 * `ca` is PEM text or the path of a PEM file (`${VAR}` is substituted by the config loader first);
 * returns the PEM. An unreadable file is `ERR_WATCHPOST_SINK_INVALID`, its message starting with `who`.
 */
export function readCa(ca: string, who: string): string {
  if (ca.includes('-----BEGIN ')) return ca
  try {
    return readFileSync(ca, 'utf8')
  } catch (err) {
    throw new WatchpostError(
      'ERR_WATCHPOST_SINK_INVALID',
      `${who}: tls.ca ${JSON.stringify(ca)} cannot be read: ${(err as Error).message}`,
      { cause: err },
    )
  }
}

/**
 * A TLS context trusting Node's bundled roots plus `pem`, as NODE_EXTRA_CA_CERTS does, so public
 * endpoints stay trusted. Build it once per client: a `ca` option on each connect would parse ~140
 * root certificates per handshake.
 */
export function secureContextWithCa(pem: string): SecureContext {
  return createSecureContext({ ca: [...rootCertificates, pem] })
}
