/**
 * The HTTP connections of remote destinations (the webhook sink, and the Sentinel sink's Azure
 * pipeline through @watchpost/sentinel's `createUndiciHttpClient`): an undici `Agent`, i.e. one
 * keep-alive pool per origin, with each phase bounded by a timeout and an extra CA that lives on
 * this pool only — never `NODE_TLS_REJECT_UNAUTHORIZED`, never a process-wide setting.
 *
 * undici is loaded with the first request, not with @watchpost/core: it held ≈ 3.7 MB of the Express
 * bench app's heap (5.2 MB imported alone), which an app without a remote sink carried for nothing
 * and every major GC marked.
 */
import type { SecureContext } from 'node:tls'
import type { Agent, Dispatcher } from 'undici'

export interface HttpPoolOptions {
  /** TCP + TLS connect timeout. */
  readonly connectTimeoutMs: number
  /** Time from request sent to response headers. */
  readonly headersTimeoutMs: number
  /** Longest gap between two body chunks. */
  readonly bodyTimeoutMs: number
  /** Keep-alive sockets per origin. */
  readonly connections: number
  /**
   * Idle time after which a pooled socket is closed; undici's default (4 s, below Node servers' 5 s)
   * when left out, shortened by a server's `Keep-Alive: timeout=` hint either way.
   */
  readonly keepAliveTimeoutMs?: number
  /** The TLS context of every connection, e.g. `secureContextWithCa(pem)` for an extra CA. */
  readonly secureContext?: SecureContext
}

export type HttpRequestOptions = Dispatcher.RequestOptions & { readonly origin: string | URL }

export interface HttpPool {
  /** Sends one request on the pool of `options.origin`; after `close()` it rejects (`UND_ERR_CLOSED`). */
  request(options: HttpRequestOptions): Promise<Dispatcher.ResponseData>
  /** Waits for requests in flight, then closes the pooled sockets. */
  close(): Promise<void>
}

/** Options are taken as given: each caller checks its own (they come from its configuration). */
export function createHttpPool(options: HttpPoolOptions): HttpPool {
  let agent: Promise<Agent> | undefined
  let closed = false

  function agentOf(): Promise<Agent> {
    agent ??= import('undici').then(
      ({ Agent }) =>
        new Agent({
          connections: options.connections,
          headersTimeout: options.headersTimeoutMs,
          bodyTimeout: options.bodyTimeoutMs,
          ...(options.keepAliveTimeoutMs === undefined
            ? {}
            : { keepAliveTimeout: options.keepAliveTimeoutMs }),
          connect: {
            timeout: options.connectTimeoutMs,
            ...(options.secureContext === undefined ? {} : { secureContext: options.secureContext }),
          },
        }),
    )
    return agent
  }

  return {
    async request(request) {
      // The code undici gives a request on a closed dispatcher, so that callers map both alike —
      // without loading undici for a pool that never sent anything.
      if (closed) throw Object.assign(new Error('the HTTP pool is closed'), { code: 'UND_ERR_CLOSED' })
      return (await agentOf()).request(request)
    },
    async close() {
      closed = true
      if (agent !== undefined) await (await agent).close()
    },
  }
}
