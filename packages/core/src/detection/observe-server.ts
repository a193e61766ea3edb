/**
 * Records requests Node's HTTP parser refuses before any middleware runs (unknown methods such as
 * TRACK or DEBUG, control characters, oversized headers), without changing what the client gets.
 * A `clientError` listener replaces Node's default answer, so when ours is the only listener it
 * answers exactly as Node does (lib/_http_server.js `socketOnError`); when the app or the framework
 * (Fastify's `clientErrorHandler`) listens too, they answer and we only record.
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
    try {
      record(clientErrorInfo(err, socket as Duplex & { remoteAddress?: string; remotePort?: number }))
    } catch {
      // Recording must never change the answer.
    }
    if (server.listenerCount('clientError') > 1) return
    const s = socket as Duplex & { bytesWritten?: number }
    if (s.writable && (s.bytesWritten ?? 0) === 0) {
      s.write(Object.hasOwn(RESPONSES, err.code ?? '') ? RESPONSES[err.code as string]! : BAD_REQUEST)
    }
    socket.destroy(err)
  }
  server.prependListener('clientError', listener)
  return () => {
    server.off('clientError', listener)
  }
}
