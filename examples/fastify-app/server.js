// A small shop API on Fastify, instrumented with @watchpost/fastify. `npm start` listens on PORT
// (default 3000); events go to the console and ./events.jsonl (watchpost.config.yaml).
import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import watchpost from '@watchpost/fastify'
import Fastify from 'fastify'
import { SignJWT } from 'jose'

const MAX_FAILURES = 5
const JWT_SECRET = new TextEncoder().encode(process.env.JWT_SECRET ?? 'example-secret-change-me-0123456789')
const USERS = new Map([
  ['alice', { password: 'wonderland', role: 'customer' }],
  ['root', { password: 'toor-but-longer', role: 'admin' }],
])

/** Magic numbers of the file types the shop accepts. */
const ACCEPTED = [
  { type: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47] },
  { type: 'image/jpeg', magic: [0xff, 0xd8, 0xff] },
  { type: 'application/pdf', magic: [0x25, 0x50, 0x44, 0x46] },
]

export async function buildApp(watchpostOptions = {}) {
  const app = Fastify({ bodyLimit: 1024 * 1024 })
  await app.register(watchpost, watchpostOptions)
  const failures = new Map()
  const verifyJwt = app.watchpost.createJwtVerifier({
    algorithms: ['HS256'],
    key: JWT_SECRET,
    audience: 'shop-api',
  })

  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) =>
    done(null, body),
  )
  await app.register(cors, { delegator: app.watchpost.corsDelegator(['https://shop.example']) })

  async function authenticate(request, reply) {
    try {
      request.user = await verifyJwt(request.raw)
      request.watchpost.setUser(request.user.sub)
    } catch {
      return reply.code(401).send({ error: 'unauthorized' })
    }
  }

  app.get('/health', async () => ({ ok: true }))

  await app.register(async (login) => {
    await login.register(rateLimit, app.watchpost.rateLimitHooks({ max: 10, timeWindow: '1 minute' }))
    login.post('/login', async (request, reply) => {
      const { username = '', password = '' } = request.body ?? {}
      const user = USERS.get(username)
      const failed = failures.get(username) ?? 0
      if (failed >= MAX_FAILURES) {
        request.watchpost.authn.loginFail({ userId: username, reason: 'locked' })
        return reply.code(423).send({ error: 'account locked' })
      }
      if (user === undefined || user.password !== password) {
        failures.set(username, failed + 1)
        request.watchpost.authn.loginFail({
          userId: username,
          reason: user === undefined ? 'unknown_user' : 'bad_password',
        })
        if (failed + 1 === MAX_FAILURES)
          request.watchpost.authn.loginLock({ userId: username, reason: 'maxretries' })
        return reply.code(401).send({ error: 'invalid credentials' })
      }
      failures.delete(username)
      request.watchpost.setUser(username)
      if (failed > 0) request.watchpost.authn.loginSuccessAfterFail({ userId: username, retries: failed })
      else request.watchpost.authn.loginSuccess({ userId: username })
      const token = await new SignJWT({ role: user.role })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(username)
        .setAudience('shop-api')
        .setIssuedAt()
        .setExpirationTime('15m')
        .sign(JWT_SECRET)
      request.watchpost.authn.tokenCreated({ userId: username, entitlements: [user.role] })
      return { token }
    })
  })

  app.get('/api/orders', { preHandler: authenticate }, async (request) => {
    return [{ id: 1, owner: request.user.sub, total: 42 }]
  })

  app.post(
    '/api/orders',
    {
      preHandler: authenticate,
      schema: {
        body: {
          type: 'object',
          required: ['item'],
          properties: { item: { type: 'string' }, qty: { type: 'integer' } },
        },
      },
    },
    async (request, reply) => reply.code(201).send({ id: 2, ...request.body }),
  )

  app.get('/admin/users', { preHandler: authenticate }, async (request, reply) => {
    if (request.user.role !== 'admin') return reply.code(403).send({ error: 'forbidden' })
    request.watchpost.authz.admin({ event: 'list_users', object: 'users' })
    return [...USERS.keys()]
  })

  app.put('/files/:name', { preHandler: authenticate }, async (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
    const filename = request.params.name
    const kind = ACCEPTED.find((a) => a.magic.every((byte, i) => body[i] === byte))
    request.watchpost.upload.validation({
      filename,
      check: 'magic-bytes',
      outcome: kind ? 'passed' : 'failed',
    })
    if (!kind) return reply.code(415).send({ error: 'unsupported file type' })
    request.watchpost.upload.complete({ filename, type: kind.type, size: body.length })
    return reply.code(201).send({ stored: filename })
  })

  return app
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const app = await buildApp()
  const port = Number(process.env.PORT ?? 3000)
  await app.listen({ port, host: process.env.HOST ?? '127.0.0.1' })
  console.log(`shop-api on http://127.0.0.1:${port} — events on the console and in ./events.jsonl`)
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => app.close())
}
