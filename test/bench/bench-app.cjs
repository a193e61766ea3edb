// What the benchmark servers share: the Watchpost options and the routes of both frameworks,
// used by server.cjs (frameworks.bench.mjs) and instructions.mjs so both measure the same app. CommonJS: server.cjs must stay CommonJS
// (Aikido Zen and dd-trace hook `require`), and an ES module can import this file too.
'use strict'

// Events go through the whole pipeline into a file sink on /dev/null: real serialisation and writes.
const watchpostOptions = {
  config: false,
  app: { name: 'bench' },
  sinks: [{ type: 'file', path: '/dev/null' }],
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

/** The same three routes on Express, after `express.json()`. */
function addExpressRoutes(app, record) {
  app.get('/hello', (_req, res) => res.json({ hello: 'world' }))
  app.post('/json', (req, res) => res.json({ received: req.body }))
  app.post('/login', (req, res) => {
    if (record) req.watchpost.authn.loginFail({ userId: String(req.body?.username), reason: 'bad_password' })
    res.status(401).json({ error: 'invalid credentials' })
  })
}

/** The Express app: Watchpost's middleware first (when given), the JSON parser, the routes, Watchpost's error middleware. */
function expressApp(express, wp) {
  const app = express()
  if (wp) app.use(wp)
  app.use(express.json())
  addExpressRoutes(app, wp !== undefined)
  if (wp) app.use(wp.errors())
  return app
}

module.exports = { watchpostOptions, addRoutes, expressApp }
