/**
 * What the adapters pass on from `server.on('clientError', (err, socket) => …)`: the error's code,
 * the status the client got, and what the first bytes of the raw request still tell — method,
 * target and a few identifying headers (bounded: at most 8 KiB are looked at, so a megabyte of
 * garbage costs nothing; values cut and reduced to printable ASCII). The adapters never change
 * Node's response.
 */
import type { IncomingMessage } from 'node:http'
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

/**
 * Headers kept from the raw bytes: what identifies the request (its ids, for the correlation id) and
 * its client (`X-Forwarded-For`, used only under `trustProxy`). Nothing else is read.
 */
const KEPT_HEADERS = new Set([
  'x-request-id',
  'x-correlation-id',
  'traceparent',
  'x-forwarded-for',
  'user-agent',
  'host',
])

/** Bytes of a refused request's head looked at: a megabyte of garbage costs nothing more. */
const MAX_HEAD = 8192
/** Characters kept of a header value. */
const MAX_VALUE = 256

/** The status Node 20 answers a refusal with (its `socketOnError`), by code; 400 otherwise. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
}

/** The status Node answers the error with (observe-server.ts writes the same). */
export function statusOfClientError(code: string | undefined): number {
  return code !== undefined && Object.hasOwn(STATUS_BY_CODE, code) ? (STATUS_BY_CODE[code] as number) : 400
}

export function clientErrorInfo(
  err: { code?: unknown; rawPacket?: unknown } | null | undefined,
  socket: { remoteAddress?: string | undefined; remotePort?: number | undefined } | null | undefined,
  status?: number,
): ClientErrorInfo {
  const code = typeof err?.code === 'string' ? err.code.slice(0, 64) : undefined
  let method: string | undefined
  let target: string | undefined
  const headers: Record<string, string> = {}
  const raw = err?.rawPacket
  if (Buffer.isBuffer(raw)) {
    const lines = raw.subarray(0, MAX_HEAD).toString('latin1').split(/\r?\n/)
    const [m, t] = (lines[0] ?? '').slice(0, MAX_PEEK).split(' ')
    // Only a token-shaped method is kept; anything else is the parse error itself.
    if (m !== undefined && /^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(m)) method = m.toUpperCase()
    if (t !== undefined && t !== '') target = sanitise(t, 128)
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string
      if (line === '') break
      const colon = line.indexOf(':')
      if (colon <= 0 || colon > 32) continue
      const name = line.slice(0, colon).trim().toLowerCase()
      if (!KEPT_HEADERS.has(name) || Object.hasOwn(headers, name)) continue
      headers[name] = sanitise(line.slice(colon + 1).trim(), MAX_VALUE)
    }
  }
  return {
    code,
    method,
    target,
    headers,
    status: status ?? statusOfClientError(code),
    remoteAddress: socket?.remoteAddress,
    remotePort: socket?.remotePort,
  }
}

/** Printable ASCII only (the rest becomes `?`), at most `max` characters. */
function sanitise(value: string, max: number): string {
  const cut = value.length > max ? value.slice(0, max) : value
  return cut.replace(/[^\x20-\x7e]/g, '?')
}

/**
 * The refused request as far as its raw bytes tell, shaped like the `IncomingMessage` the context
 * factory reads: method, target, the kept headers, the socket's peer. The context then takes its
 * correlation id from `x-request-id` / `traceparent` and its client address from `X-Forwarded-For`
 * under `trustProxy`, exactly as for a request that parsed.
 */
export function refusedRequest(info: ClientErrorInfo): IncomingMessage {
  return {
    method: info.method ?? '',
    url: info.target ?? '',
    headers: info.headers,
    rawHeaders: [],
    httpVersion: '1.1',
    socket: { remoteAddress: info.remoteAddress, remotePort: info.remotePort },
  } as unknown as IncomingMessage
}
