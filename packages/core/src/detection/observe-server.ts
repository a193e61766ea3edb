/**
 * Observes a server's `clientError` event without changing what the client gets. Node emits it for
 * requests its HTTP parser refuses (TRACK, DEBUG, control characters, oversized headers) and also
 * for connection resets, request timeouts and requests the client ended half-way; all are passed on,
 * and only the parser's refusals reach the detectors (client-error.ts).
 *
 * A `clientError` listener replaces Node's default answer, so when ours is the only listener it
 * answers exactly as Node 20's `socketOnError` (lib/_http_server.js): nothing when the socket is no
 * longer writable (a reset one) or the in-flight response has sent its headers; else 431, 413, 408
 * or 400 by code, also on a keep-alive connection that already carried responses; then it destroys
 * the socket. When the app or the framework (Fastify's `clientErrorHandler`) listens too, they
 * answer and we only record.
 */
import type { Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { clientErrorInfo } from './client-error.js'
import type { ClientErrorInfo } from './types.js'

const RESPONSES: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n',
  ERR_HTTP_REQUEST_TIMEOUT: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
}
const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'

/** Adds the listener (first in line, so the socket is still intact); returns a function that removes it. */
export function observeClientErrors(server: Server, record: (info: ClientErrorInfo) => void): () => void {
  const listener = (err: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex) => {
    // Alone, this listener answers (below) with Node's status for the code; else the framework
    // answers: Fastify's clientErrorHandler with 408, 431 or 400.
    const alone = server.listenerCount('clientError') <= 1
    const status = alone
      ? undefined
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 408
          : 400
    try {
      record(clientErrorInfo(err, socket as Duplex & { remoteAddress?: string; remotePort?: number }, status))
    } catch {
      // Recording must never change the answer.
    }
    if (!alone) return
    // Node's own test: the response being written (`_httpMessage`, none between keep-alive requests)
    // has not sent its headers yet. Bytes written by earlier responses do not matter.
    const s = socket as Duplex & { _httpMessage?: { _headerSent?: unknown } | null }
    if (s.writable && !s._httpMessage?._headerSent) {
      s.write(Object.hasOwn(RESPONSES, err.code ?? '') ? RESPONSES[err.code as string]! : BAD_REQUEST)
    }
    socket.destroy(err)
  }
  server.prependListener('clientError', listener)
  return () => {
    server.off('clientError', listener)
  }
}
