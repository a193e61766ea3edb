/**
 * A small Fastify app with @watchpost/fastify, listening on loopback, its events kept in memory:
 * the rows its real requests make Watchpost send. A login that fails unless the password is
 * `right`, a forbidden /admin, a /private that answers 401, a /search that answers 200.
 */
import type { AddressInfo } from 'node:net'
import type { SecurityEvent, Sink } from '@watchpost/core'
import watchpost from '@watchpost/fastify'
import fastify from 'fastify'

export interface TestApp {
  readonly base: string
  readonly events: readonly SecurityEvent[]
  get(path: string, headers?: Record<string, string>): Promise<number>
  post(path: string, body: string, headers?: Record<string, string>): Promise<number>
  /** Waits until everything recorded so far reached `events`. */
  flush(): Promise<void>
  close(): Promise<void>
}

export async function startApp(options: Record<string, unknown> = {}): Promise<TestApp> {
  const events: SecurityEvent[] = []
  const sink: Sink = {
    name: 'memory',
    send: async (batch) => void events.push(...batch),
    close: async () => {},
  }
  const server = fastify()
  await server.register(watchpost, {
    config: false,
    app: { name: 'shop', version: '1.4.0', environment: 'production', host: 'web-01' },
    sinks: [],
    ...options,
    runtime: { sinks: [sink] },
  } as never)
  server.post('/login', async (request, reply) => {
    const { username, password } = (request.body ?? {}) as { username?: string; password?: string }
    if (password !== 'right') {
      request.watchpost?.authn.loginFail({ userId: String(username), reason: 'bad_password' })
      return reply.code(401).send({ error: 'invalid credentials' })
    }
    request.watchpost?.authn.loginSuccess({ userId: String(username) })
    return { ok: true }
  })
  server.get('/admin', async (_request, reply) => reply.code(403).send({ error: 'forbidden' }))
  server.get('/private', async (_request, reply) => reply.code(401).send())
  server.get('/search', async () => ({ results: [] }))
  await server.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`
  const send = async (path: string, init: RequestInit) => {
    const response = await fetch(`${base}${path}`, init)
    await response.arrayBuffer()
    return response.status
  }
  return {
    base,
    events,
    get: (path, headers = {}) => send(path, { headers }),
    post: (path, body, headers = {}) =>
      send(path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } }),
    flush: () => server.watchpost.flush(),
    close: () => server.close(),
  }
}
