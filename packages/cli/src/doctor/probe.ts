/**
 * An HTTPS origin reached the way the sink reaches it, one layer at a time — name (DNS), port
 * (TCP), certificate (TLS, trusting what the sink trusts) — so a failure says which layer failed.
 * The Azure clients report all of these as one opaque error (spec/azure/identity-token-acquisition.md
 * fact 10), hence a connection of our own.
 */
import { lookup } from 'node:dns/promises'
import { isIP, type Socket, connect as tcpConnect } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { secureContextWithCa } from '@watchpost/core/sdk'

export type ProbeStage = 'dns' | 'tcp' | 'tls'

export type ProbeResult =
  | { readonly ok: true; readonly address: string; readonly protocol: string }
  | { readonly ok: false; readonly stage: ProbeStage; readonly code: string; readonly message: string }

/** Certificate checks that fail because of trust, by OpenSSL's / Node's error codes. */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
])

/** A certificate problem the user must fix on the server side (or by trusting a CA): by code. */
export function isUntrusted(code: string): boolean {
  return UNTRUSTED.has(code)
}

function failure(stage: ProbeStage, err: unknown): ProbeResult {
  const e = err as NodeJS.ErrnoException
  return { ok: false, stage, code: e.code ?? 'ERROR', message: e.message ?? String(err) }
}

/** What to do about a certificate this process does not trust (the token and endpoint steps alike). */
export const TRUST_HINT =
  'Trust the CA that signed it: set the sink’s `tls.ca` to its PEM file, or start the app with NODE_EXTRA_CA_CERTS=<ca.pem> (read only at start-up). Never NODE_TLS_REJECT_UNAUTHORIZED=0.'

/** `--timeout` ran out; `code` as Node's own timeouts have it, so callers classify both alike. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError'
  readonly code = 'ETIMEDOUT'
  constructor(ms: number) {
    super(`no answer within ${ms} ms`)
  }
}

/** `promise`, or a `DeadlineError` after `ms` (calling `onTimeout` to release what it holds). */
export function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => void = () => {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout()
      reject(new DeadlineError(ms))
    }, ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (err: unknown) => {
        clearTimeout(timer)
        reject(err)
      },
    )
  })
}

/**
 * Resolves, connects and shakes hands with `url`'s origin; `ca` (PEM) is trusted on top of Node's
 * roots as the sink's `tls.ca` is, else the process's defaults apply (NODE_EXTRA_CA_CERTS included).
 */
export async function probeHttps(url: URL, ca: string | undefined, timeoutMs: number): Promise<ProbeResult> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const port = Number(url.port || 443)
  let address = host
  if (isIP(host) === 0) {
    try {
      address = (await withDeadline(lookup(host), timeoutMs)).address
    } catch (err) {
      return failure('dns', err)
    }
  }
  let socket: Socket | undefined
  try {
    socket = await withDeadline(
      new Promise<Socket>((resolve, reject) => {
        const s = tcpConnect({ host: address, port })
        socket = s
        s.once('connect', () => resolve(s))
        s.once('error', reject)
      }),
      timeoutMs,
      () => socket?.destroy(),
    )
  } catch (err) {
    return failure('tcp', err)
  }
  const tcp = socket
  try {
    const tls = await withDeadline(
      new Promise<ReturnType<typeof tlsConnect>>((resolve, reject) => {
        const t = tlsConnect({
          socket: tcp,
          host,
          // SNI takes a host name only, never an address.
          ...(isIP(host) === 0 ? { servername: host } : {}),
          ...(ca === undefined ? {} : { secureContext: secureContextWithCa(ca) }),
        })
        t.once('secureConnect', () => resolve(t))
        t.once('error', reject)
      }),
      timeoutMs,
      () => tcp.destroy(),
    )
    const protocol = tls.getProtocol() ?? 'TLS'
    tls.destroy()
    return { ok: true, address, protocol }
  } catch (err) {
    tcp.destroy()
    return failure('tls', err)
  }
}

/** A failed probe in plain words, and the step's cause. */
export function describeProbe(
  what: string,
  url: URL,
  result: Extract<ProbeResult, { ok: false }>,
): { cause: 'tls-untrusted' | 'unreachable' | 'timeout'; detail: string } {
  const where = `${url.host}`
  if (result.stage === 'tls' && isUntrusted(result.code))
    return {
      cause: 'tls-untrusted',
      detail: `${what} ${where} answers over TLS, but its certificate is not signed by a CA this process trusts (${result.code}).`,
    }
  if (result.code === 'ETIMEDOUT')
    return {
      cause: 'timeout',
      detail: `${what} ${where} did not answer at the ${result.stage.toUpperCase()} stage in time (a firewall dropping packets, or a proxy needed).`,
    }
  const stage = {
    dns: 'its name does not resolve',
    tcp: 'nothing accepts connections on its port',
    tls: 'the TLS handshake fails',
  }[result.stage]
  return {
    cause: 'unreachable',
    detail: `${what} ${where} is unreachable: ${stage} (${result.code}: ${result.message}).`,
  }
}
