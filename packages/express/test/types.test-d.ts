/**
 * Type tests for the public API, checked by `npm run typecheck` (tsc --noEmit), never run: each
 * `@ts-expect-error` fails the check if the line it guards starts to compile.
 */
import type { SecurityEvent } from '@watchpost/core'
import cors from 'cors'
import express, { type Request } from 'express'
import { rateLimit } from 'express-rate-limit'
import watchpost, { type WatchpostMiddleware } from '../src/index.js'

const wp: WatchpostMiddleware = watchpost({ config: false, detectors: { notFound: { threshold: 5 } } })
const app = express()
app.use(wp)

// Express.Request carries the typed request API.
app.post('/login', wp.route({ detectors: { authFailure: { threshold: 3 } } }), (req, res) => {
  const e: SecurityEvent | undefined = req.watchpost.authn.loginFail({
    userId: 'bob',
    reason: 'bad_password',
  })
  req.watchpost.setUser('bob')
  void e
  res.end()
})
const handler = (req: Request) => {
  // @ts-expect-error unknown event
  req.watchpost.authn.loginFailed({ userId: 'a' })
  // @ts-expect-error not one of the reasons
  req.watchpost.authn.loginFail({ userId: 'a', reason: 'nope' })
}
void handler

// Plugs into cors and express-rate-limit's own types.
app.use(cors(wp.cors(['https://shop.example', /\.shop\.example$/], { credentials: true, maxAge: 600 })))
app.use(cors(wp.cors((origin) => origin.endsWith('.example'))))
app.use(rateLimit({ limit: 5, handler: wp.rateLimitHandler() }))
app.use(
  rateLimit({
    handler: wp.rateLimitHandler((_req, res, _next, options) => {
      res.status(options.statusCode).json({ error: 'slow down' })
    }),
  }),
)
// @ts-expect-error cors options must be an object
wp.cors(['https://a.example'], 'credentials')
// @ts-expect-error not an origin
wp.cors([42])

// Per-route options have the config file's shape.
// @ts-expect-error unknown detector option
wp.route({ detectors: { notFound: { treshold: 5 } } })
// @ts-expect-error ignore is a boolean
wp.route({ ignore: 'yes' })

app.use(wp.errors())
const server = app.listen(0)
wp.observe(server)
wp.instance.events.sys.startup()
const closed: Promise<void> = wp.close()
void closed
