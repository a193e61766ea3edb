// A small shop API on Express, instrumented with @watchpost/express. `npm start` listens on PORT
// (default 3000); events go to the console and ./events.jsonl (watchpost.config.yaml).
import watchpost from '@watchpost/express'
import cors from 'cors'
import express from 'express'
import { rateLimit } from 'express-rate-limit'
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

/**
 * Builds the shop. `watchpostOptions` and `runtime` go to `watchpost(options, runtime)`; returns the
 * Express app and the Watchpost handle (`wp.close()` flushes the events when the server stops).
 */
export function buildApp(watchpostOptions = {}, runtime = undefined) {
  const app = express()
  const wp = watchpost(watchpostOptions, runtime)
  const failures = new Map()
  const verifyJwt = wp.instance.createJwtVerifier({
    algorithms: ['HS256'],
    key: JWT_SECRET,
    audience: 'shop-api',
  })

  app.use(wp) // first: opens the request context, echoes x-request-id
  app.use(cors(wp.cors(['https://shop.example'])))
  app.use(express.json({ limit: '1mb' }))

  async function authenticate(req, res, next) {
    try {
      req.user = await verifyJwt(req)
      req.watchpost.setUser(req.user.sub)
    } catch {
      return res.status(401).json({ error: 'unauthorized' })
    }
    next()
  }

  app.get('/health', (_req, res) => res.json({ ok: true }))

  const loginLimit = rateLimit({ windowMs: 60_000, limit: 10, handler: wp.rateLimitHandler() })
  app.post('/login', loginLimit, async (req, res) => {
    const { username = '', password = '' } = req.body ?? {}
    const user = USERS.get(username)
    const failed = failures.get(username) ?? 0
    if (failed >= MAX_FAILURES) {
      req.watchpost.authn.loginFail({ userId: username, reason: 'locked' })
      return res.status(423).json({ error: 'account locked' })
    }
    if (user === undefined || user.password !== password) {
      failures.set(username, failed + 1)
      req.watchpost.authn.loginFail({
        userId: username,
        reason: user === undefined ? 'unknown_user' : 'bad_password',
      })
      if (failed + 1 === MAX_FAILURES)
        req.watchpost.authn.loginLock({ userId: username, reason: 'maxretries' })
      return res.status(401).json({ error: 'invalid credentials' })
    }
    failures.delete(username)
    req.watchpost.setUser(username)
    if (failed > 0) req.watchpost.authn.loginSuccessAfterFail({ userId: username, retries: failed })
    else req.watchpost.authn.loginSuccess({ userId: username })
    const token = await new SignJWT({ role: user.role })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(username)
      .setAudience('shop-api')
      .setIssuedAt()
      .setExpirationTime('15m')
      .sign(JWT_SECRET)
    req.watchpost.authn.tokenCreated({ userId: username, entitlements: [user.role] })
    res.json({ token })
  })

  app.get('/api/orders', authenticate, (req, res) => {
    res.json([{ id: 1, owner: req.user.sub, total: 42 }])
  })

  app.post('/api/orders', authenticate, (req, res) => {
    const order = req.body
    const valid =
      order !== null &&
      typeof order === 'object' &&
      !Array.isArray(order) &&
      typeof order.item === 'string' &&
      (order.qty === undefined || Number.isInteger(order.qty))
    if (!valid)
      return res.status(400).json({ error: 'body must have item (string) and optional qty (integer)' })
    res.status(201).json({ id: 2, ...order })
  })

  app.get('/admin/users', authenticate, (req, res) => {
    if (req.user.role !== 'admin') return res.status(403).json({ error: 'forbidden' })
    req.watchpost.authz.admin({ event: 'list_users', object: 'users' })
    res.json([...USERS.keys()])
  })

  const rawBody = express.raw({ type: 'application/octet-stream', limit: '1mb' })
  app.put('/files/:name', authenticate, rawBody, (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    const filename = req.params.name
    const kind = ACCEPTED.find((a) => a.magic.every((byte, i) => body[i] === byte))
    req.watchpost.upload.validation({ filename, check: 'magic-bytes', outcome: kind ? 'passed' : 'failed' })
    if (!kind) return res.status(415).json({ error: 'unsupported file type' })
    req.watchpost.upload.complete({ filename, type: kind.type, size: body.length })
    res.status(201).json({ stored: filename })
  })

  app.use(wp.errors()) // after the routes: records body-parser errors (malformed JSON, too large), passes them on
  // JSON errors, as Fastify answers them: the client's own mistakes with their message, ours without.
  app.use((err, _req, res, _next) => {
    const status = Number.isInteger(err?.status) && err.status >= 400 && err.status < 600 ? err.status : 500
    if (status >= 500) console.error(err)
    res.status(status).json({ error: status < 500 && err.expose ? err.message : 'internal error' })
  })
  return { app, wp }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { app, wp } = buildApp()
  const port = Number(process.env.PORT ?? 3000)
  const server = app.listen(port, process.env.HOST ?? '127.0.0.1', (err) => {
    if (err) throw err
    console.log(`shop-api-express on http://127.0.0.1:${port} — events on the console and in ./events.jsonl`)
  })
  wp.observe(server) // right after listen: also see requests Node's parser refuses
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => wp.close()))
}
