// What the benchmark servers share: the Watchpost options and the routes of both frameworks, used by
// server.cjs (frameworks.bench.mjs) and instructions.mjs so both measure the same app. CommonJS:
// server.cjs must stay CommonJS (Aikido Zen and dd-trace hook `require`), and an ES module can import
// this file too. instructions.mjs builds the plain app (three routes); the wall-clock servers add
// what the attack mix of traffic.mjs needs (`withMix`): a trusted proxy on loopback, a failed-login
// route left to the authFailure detector, a JWT route, and an Express error handler.
'use strict'
const { createSecretKey } = require('node:crypto')
const { dirname } = require('node:path')

// Events go through the whole pipeline into a file sink on /dev/null: real serialisation and writes.
const watchpostOptions = {
  config: false,
  app: { name: 'bench' },
  sinks: [{ type: 'file', path: '/dev/null' }],
}

// The wall-clock servers sit behind a proxy on loopback: the attack mix comes from 50 addresses in
// X-Forwarded-For. Framework and Watchpost trust the same proxy, in every variant (bare included).
const TRUST_PROXY = 'loopback'
const mixWatchpostOptions = { ...watchpostOptions, trustProxy: TRUST_PROXY }
const mixFastifyOptions = { trustProxy: TRUST_PROXY }

// The wall-clock servers' Watchpost variants, to price the rules on the request path. `watchpost`
// runs the shipped rules in monitor mode (the default). In protect mode a rule that blocks sources
// makes the adapters check every request against the blocks in force (their gate); credential
// stuffing is given that block, and the traffic never makes it fire (the mix fails logins over five
// user names, `login` over one), so the gate is measured on the request path, never a block. The
// store (memory, or Redis for `watchpost-redis`) is given by server.cjs.
const PROTECT_OPTIONS = {
  ...mixWatchpostOptions,
  mode: 'protect',
  rules: [{ id: 'watchpost.credential-stuffing', response: { action: 'block', durationSeconds: 900 } }],
}
// Where Watchpost's cost goes, on request: the plugin or middleware with every detector switched off
// (context, hooks, pipeline, rules that see no event), and with only the injection detector off.
const withoutDetectors = (ids) => ({
  ...mixWatchpostOptions,
  detectors: Object.fromEntries(ids.map((id) => [id, { enabled: false }])),
})
const variantWatchpostOptions = {
  // Every detector core has, read from its defaults when the variant is asked for: a bare server
  // loads none of Watchpost's modules (they change V8's state, test/bench/NOTES.md).
  get 'watchpost-nodetectors'() {
    return withoutDetectors(Object.keys(require('@watchpost/core').DEFAULTS.detectors))
  },
  'watchpost-noinjection': withoutDetectors(['injection']),
  'watchpost-norules': { ...mixWatchpostOptions, defaultRules: false },
  watchpost: mixWatchpostOptions,
  'watchpost-protect': PROTECT_OPTIONS,
  'watchpost-redis': PROTECT_OPTIONS,
}

// HS256 key of GET /api/me; traffic.mjs signs its tokens with it.
const JWT_SECRET = 'watchpost-bench-hs256-key-0123456789abcdef'
const JWT_OPTIONS = { algorithms: ['HS256'], key: new TextEncoder().encode(JWT_SECRET) }

/**
 * `(req) => Promise<claims>` for the bearer token of a Node request: Watchpost's verifier when
 * `instance` is given (it records each failure), else jose's `jwtVerify` alone — the same jose, the
 * same checks, nothing recorded — for the bare app and the peers.
 */
function jwtVerifier(instance) {
  if (instance) return instance.createJwtVerifier(JWT_OPTIONS)
  const core = dirname(require.resolve('@watchpost/core/package.json'))
  const { jwtVerify } = require(require.resolve('jose', { paths: [core] }))
  const verifyOptions = { algorithms: JWT_OPTIONS.algorithms, clockTolerance: 5 }
  // A KeyObject, made once, as Watchpost's verifier makes one of the secret's bytes: jose keeps the
  // CryptoKey it derives from a KeyObject, where it imports bytes again on every call.
  const key = createSecretKey(JWT_OPTIONS.key)
  return async (req) => {
    const m = /^bearer (.+)$/i.exec(req.headers.authorization ?? '')
    if (m === null) throw new Error('no bearer token')
    return (await jwtVerify(m[1], key, verifyOptions)).payload
  }
}

/** GET /hello, POST /json and POST /login (a failed login, recorded when `record` is true). */
function addRoutes(app, record) {
  app.get('/hello', async () => ({ hello: 'world' }))
  app.post('/json', async (request) => ({ received: request.body }))
  app.post('/login', async (request, reply) => {
    if (record)
      request.watchpost.authn.loginFail({ userId: String(request.body?.username), reason: 'bad_password' })
    return reply.code(401).send({ error: 'invalid credentials' })
  })
}

/**
 * The attack mix's own routes on Fastify: POST /signin answers 401 and records nothing itself (the
 * authFailure detector infers the failures from the 401s, and aggregates them); GET /api/me checks
 * a bearer token with `verify` (jwtVerifier) and answers 401 when it fails.
 */
function addMixRoutes(app, verify) {
  app.post('/signin', async (_request, reply) => reply.code(401).send({ error: 'invalid credentials' }))
  app.get('/api/me', async (request, reply) => {
    try {
      const claims = await verify(request.raw)
      return { user: claims.sub }
    } catch {
      return reply.code(401).send({ error: 'invalid token' })
    }
  })
}

/** The same three routes on Express, after `express.json()`. */
function addExpressRoutes(app, record) {
  app.get('/hello', (_req, res) => res.json({ hello: 'world' }))
  app.post('/json', (req, res) => res.json({ received: req.body }))
  app.post('/login', (req, res) => {
    if (record) req.watchpost.authn.loginFail({ userId: String(req.body?.username), reason: 'bad_password' })
    res.status(401).json({ error: 'invalid credentials' })
  })
}

/** addMixRoutes on Express. */
function addExpressMixRoutes(app, verify) {
  app.post('/signin', (_req, res) => res.status(401).json({ error: 'invalid credentials' }))
  app.get('/api/me', (req, res) => {
    verify(req).then(
      (claims) => res.json({ user: claims.sub }),
      () => res.status(401).json({ error: 'invalid token' }),
    )
  })
}

/**
 * The Express app: Watchpost's middleware first (when given), the JSON parser, the routes, Watchpost's
 * error middleware. With `mix` (`{ verify }`), also the trusted proxy, the attack mix's routes and an
 * error handler that answers a body the parser refused with its status, quietly (Express's default
 * handler prints every stack trace).
 */
function expressApp(express, wp, mix) {
  const app = express()
  if (mix) app.set('trust proxy', TRUST_PROXY)
  if (wp) app.use(wp)
  app.use(express.json())
  addExpressRoutes(app, wp !== undefined)
  if (mix) addExpressMixRoutes(app, mix.verify)
  if (wp) app.use(wp.errors())
  if (mix) app.use((err, _req, res, _next) => res.status(err.status ?? 500).json({ error: 'bad request' }))
  return app
}

module.exports = {
  watchpostOptions,
  mixWatchpostOptions,
  mixFastifyOptions,
  variantWatchpostOptions,
  JWT_SECRET,
  jwtVerifier,
  addRoutes,
  addMixRoutes,
  expressApp,
}
