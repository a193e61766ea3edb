/**
 * Clients that hang up, for tests of an adapter or an app (`@watchpost/core/testing`): the ways a
 * client leaves that are not attacks and must record nothing — a connection reset after a complete
 * keep-alive exchange, a request cut off in its request line or headers, an upload aborted half-way,
 * a client gone before its answer. Each is played over a raw socket against a real server, and
 * `hangUp` resolves only once the server has dealt with it, so a test can flush and assert at once.
 */
import { once } from 'node:events'
import type { Server } from 'node:http'
import { type AddressInfo, connect, type Socket } from 'node:net'

/** One way a client hangs up (`clientHangUps`). */
export interface ClientHangUp {
  /** What it is, for a test's messages. */
  readonly name: string
  /** What the client sends first: a whole request, or the start of one. */
  readonly bytes: string
  /**
   * What the client waits for before it hangs up: the server's answer (`'answer'`), or the server
   * starting on the request (`'request'`, its `request` event: the body not read yet). Nothing when
   * absent.
   */
  readonly after?: 'answer' | 'request'
  /** `'reset'`: an RST (`socket.resetAndDestroy()`); `'close'`: a FIN (`socket.destroy()`). */
  readonly how: 'reset' | 'close'
}

/** The paths of the app under test that the hang-ups use. */
export interface HangUpPaths {
  /** A path the app answers to GET at once. */
  readonly get: string
  /** A path whose POST body (JSON) the app reads; 1,000 bytes must be within its body limit. */
  readonly post: string
  /**
   * A path the app answers to GET only once the request has closed (the client gone), with a status
   * a detector would report (401, 404, 429): that answer must not be observed.
   */
  readonly late: string
}

/** Every way a client hangs up that `hangUp` plays, against the app's `paths`. */
export function clientHangUps(paths: HangUpPaths): ClientHangUp[] {
  const get = `GET ${paths.get} HTTP/1.1\r\nHost: localhost\r\n\r\n`
  // Content-Length: 1000, and 10 bytes of it.
  const upload =
    `POST ${paths.post} HTTP/1.1\r\nHost: localhost\r\n` +
    'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":"0123'
  return [
    { name: 'a reset after a keep-alive exchange', bytes: get, after: 'answer', how: 'reset' },
    { name: 'a close after a keep-alive exchange', bytes: get, after: 'answer', how: 'close' },
    { name: 'a reset in the request line', bytes: `GET ${paths.get}`, how: 'reset' },
    { name: 'a close in the headers', bytes: get.slice(0, -2), how: 'close' },
    { name: 'a reset in the body', bytes: upload, after: 'request', how: 'reset' },
    { name: 'a close in the body', bytes: upload, after: 'request', how: 'close' },
    {
      name: 'a reset before the answer',
      bytes: `GET ${paths.late} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
      after: 'request',
      how: 'reset',
    },
  ]
}

/**
 * Plays `hangUp` against `server` (an `http.Server` listening on 127.0.0.1, or on every address) and
 * resolves once the server has closed its side of the connection and run what that queued (the
 * request's `aborted`, `close` and `error`, the framework's reaction to them). Fails after 5 s.
 */
export async function hangUp(server: Server, hangUp: ClientHangUp): Promise<void> {
  const signal = AbortSignal.timeout(5_000)
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1')
  // The server's answer to a socket already closed comes back as a reset.
  client.on('error', () => {})
  const accepted = serverSide(server, client, signal)
  const started = hangUp.after === 'request' ? once(server, 'request', { signal }) : undefined
  const answered = hangUp.after === 'answer' ? once(client, 'data', { signal }) : undefined
  const closed = accepted.then((socket) => closing(socket, signal))
  closed.catch(() => {}) // awaited below; a timeout before that is reported by the wait it stopped
  await new Promise((resolve) => client.write(hangUp.bytes, resolve))
  await (started ?? answered)
  if (hangUp.how === 'reset') client.resetAndDestroy()
  else client.destroy()
  await closed
  // Node's own `close` listener (it aborts the pending requests) runs before this one; what it
  // queued runs before the next turn of the event loop.
  await new Promise((resolve) => setImmediate(resolve))
}

/** The server's socket of `client`'s connection. */
async function serverSide(server: Server, client: Socket, signal: AbortSignal): Promise<Socket> {
  for (;;) {
    const [socket] = (await once(server, 'connection', { signal })) as [Socket]
    if (socket.remotePort === client.localPort) return socket
  }
}

/** Resolves on the socket's `close` (its `error`, a reset, comes first and is the server's to handle). */
function closing(socket: Socket, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('close', () => resolve())
    signal.addEventListener('abort', () => reject(signal.reason), { once: true })
  })
}
