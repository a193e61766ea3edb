/**
 * What the adapters pass on from `server.on('clientError', (err, socket) => …)`: the error's code
 * and the method/target read from the first bytes of the raw request (bounded: at most 256 bytes are
 * looked at, so a megabyte of garbage costs nothing). The adapters never change Node's response.
 */
import type { ClientErrorInfo } from './types.js'

const MAX_PEEK = 256

/**
 * Whether a `clientError` is Node's HTTP parser refusing what the client sent: an `HPE_*` code
 * (HPE_INVALID_METHOD, HPE_INVALID_HEADER_TOKEN, HPE_HEADER_OVERFLOW, …). Node emits `clientError`
 * for clients that went away too, and those are not: a reset (`ECONNRESET`, also after a complete
 * keep-alive exchange) or another socket error, a request not received within `headersTimeout` /
 * `requestTimeout` (`ERR_HTTP_REQUEST_TIMEOUT`), and a request the client ended half-way
 * (`HPE_INVALID_EOF_STATE`, from the parser's `finish()` when the connection ends mid-request).
 */
export function refusedByParser(code: string | undefined): boolean {
  return typeof code === 'string' && code.startsWith('HPE_') && code !== 'HPE_INVALID_EOF_STATE'
}

export function clientErrorInfo(
  err: { code?: unknown; rawPacket?: unknown } | null | undefined,
  socket: { remoteAddress?: string | undefined; remotePort?: number | undefined } | null | undefined,
): ClientErrorInfo {
  const code = typeof err?.code === 'string' ? err.code.slice(0, 64) : undefined
  let method: string | undefined
  let target: string | undefined
  const raw = err?.rawPacket
  if (Buffer.isBuffer(raw)) {
    const head = raw.subarray(0, MAX_PEEK).toString('latin1')
    const lineEnd = head.search(/[\r\n]/)
    const [m, t] = (lineEnd === -1 ? head : head.slice(0, lineEnd)).split(' ')
    // Only a token-shaped method is kept; anything else is the parse error itself.
    if (m !== undefined && /^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(m)) method = m.toUpperCase()
    if (t !== undefined && t !== '') target = t.slice(0, 128)
  }
  return { code, method, target, remoteAddress: socket?.remoteAddress, remotePort: socket?.remotePort }
}
