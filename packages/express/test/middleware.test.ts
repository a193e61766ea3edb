/**
 * The middleware itself (Express 4 and 5): correlation, hostile input, failures of sinks and of the
 * app's own code, per-route options, mounting twice, async context.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Sink } from '@watchpost/core'
import type { Request, Response } from 'express'
import watchpost from '../src/index.js'
import { request, sameAnswers, start, startBare, VERSIONS } from './support/app.js'

const sendStatus = (code: number) => (_req: Request, res: Response) => {
  res.sendStatus(code)
}

for (const [name, express] of VERSIONS) {
  describe(`${name}: correlation`, () => {
    test('an incoming x-request-id becomes the CorrelationId; echoed only when configured', async () => {
      const echo = { correlation: { responseHeader: 'x-request-id' } }
      const app = await start(express, echo, (a) => a.get('/account', sendStatus(401)))
      const res = await fetch(`${app.url}/account`, { headers: { 'x-request-id': 'req-7f3a9c' } })
      assert.equal(res.status, 401)
      assert.equal(res.headers.get('x-request-id'), 'req-7f3a9c')
      const generated = await fetch(`${app.url}/account`)
      assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{32,36}$/)
      const events = await app.of('authn_unauthorized')
      assert.equal(events[0]?.CorrelationId, 'req-7f3a9c')
      assert.equal(events[1]?.CorrelationId, generated.headers.get('x-request-id'))
      await app.close()
      const plain = await start(express, {}, (a) => a.get('/account', sendStatus(401)))
      const quiet = await fetch(`${plain.url}/account`, { headers: { 'x-request-id': 'req-1' } })
      assert.equal(quiet.headers.get('x-request-id'), null, 'by default the response is left alone')
      assert.equal((await plain.of('authn_unauthorized'))[0]?.CorrelationId, 'req-1')
      await plain.close()
    })

    test('adds nothing to the request: the API is a getter on the app’s request prototype', async () => {
      let added: Array<string | symbol> = ['not observed']
      let assigned: unknown
      const app = await start(express, {}, (a) => {
        a.get('/probe', (req, res) => {
          const before = Reflect.ownKeys(req)
          req.watchpost.authz.fail({ resource: 'probe' })
          added = Reflect.ownKeys(req).filter((k) => !before.includes(k))
          const own = Reflect.ownKeys(req).filter((k) => String(k).toLowerCase().includes('watchpost'))
          res.json({ own: own.map(String) })
        })
        a.get('/assign', (req, res) => {
          ;(req as { watchpost: unknown }).watchpost = 'mine'
          assigned = req.watchpost
          res.sendStatus(204)
        })
      })
      try {
        const res = await fetch(`${app.url}/probe`, { headers: { 'x-request-id': 'probe-1' } })
        assert.deepEqual(await res.json(), { own: [] }, 'no own watchpost key or symbol on req')
        assert.deepEqual(added, [], 'recording an event adds nothing to req')
        const [event] = await app.of('authz_fail')
        assert.equal(event?.CorrelationId, 'probe-1', 'the getter reaches the context the middleware opened')
        assert.equal(event?.HttpRoute, '/probe')
        assert.equal((await fetch(`${app.url}/assign`)).status, 204)
        assert.equal(assigned, 'mine', 'an app may still assign req.watchpost')
      } finally {
        await app.close()
      }
    })

    test('with correlation.asyncContext, code without req records with the request context', async () => {
      const app = await start(express, { correlation: { asyncContext: true } }, (a, wp) => {
        a.post('/login', (_req, res) => {
          setTimeout(() => {
            // A service layer deep below the route, with no access to req.
            wp!.instance.events.authn.loginFail({ userId: 'bob', reason: 'bad_password' })
            res.sendStatus(401)
          }, 1)
        })
      })
      await fetch(`${app.url}/login`, { method: 'POST', headers: { 'x-request-id': 'login-1' } })
      const [event] = await app.of('authn_login_fail')
      assert.equal(event?.CorrelationId, 'login-1')
      assert.equal(event?.SrcIpAddr, '127.0.0.1')
      assert.equal((await app.of('authn_unauthorized')).length, 0, 'the 401 is the login failure')
      await app.close()
    })
  })

  describe(`${name}: hostile input and failures`, () => {
    test('__proto__ in a JSON body and in the query neither pollutes nor changes the answer', async () => {
      const setup = (a: import('express').Express, _wp: unknown, e: typeof express) => {
        a.use(e.json())
        a.post('/login', (req, res) => {
          req.watchpost?.authn.loginFail({ userId: String(req.body?.user), reason: 'bad_password' })
          res.status(401).json({ keys: Object.keys(req.body ?? {}), query: req.query })
        })
      }
      const app = await start(express, {}, setup)
      const bare = await startBare(express, setup)
      const body =
        '{"user":"bob","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'
      const query = '?__proto__[polluted]=1&constructor[prototype][polluted]=1&a=%00'
      await sameAnswers(app, bare, [
        [`/login${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }],
      ])
      assert.equal(({} as { polluted?: unknown }).polluted, undefined)
      const [event] = await app.of('authn_login_fail')
      assert.equal(event?.TargetUsername ?? event?.ActorUsername, 'bob')
      assert.equal(Object.getPrototypeOf(event), Object.prototype)
      assert.ok(!JSON.stringify(event).includes('\u0000'), 'no control characters in the record')
      await app.close()
      await bare.close()
    })

    test('a sink that throws and a route that throws do not change the answers', async () => {
      const throwing: Sink = {
        name: 'throwing',
        send() {
          throw new Error('sink down')
        },
        async close() {},
      }
      const rejecting: Sink = {
        name: 'rejecting',
        send: async () => {
          throw new Error('sink down')
        },
        async close() {},
      }
      const setup = (a: import('express').Express) => {
        a.get('/account', sendStatus(401))
        a.get('/boom', () => {
          throw new Error('route bug')
        })
      }
      const app = await start(express, {}, setup, { sinks: [throwing, rejecting] })
      const bare = await startBare(express, setup)
      const answers = await sameAnswers(app, bare, [['/account'], ['/boom'], ['/account']])
      assert.deepEqual(
        answers.map((a) => a.status),
        [401, 500, 401],
      )
      assert.equal((await app.of('authn_unauthorized')).length, 2, 'the other sinks still get the events')
      await app.close()
      await bare.close()
    })
  })

  describe(`${name}: wp.route()`, () => {
    test('ignore records nothing; detector overrides apply to that route only', async () => {
      const app = await start(express, { detectors: { authFailure: { threshold: 10 } } }, (a, wp) => {
        a.get('/health', wp!.route({ ignore: true }), sendStatus(401))
        a.get('/admin', wp!.route({ detectors: { authFailure: { threshold: 1 } } }), sendStatus(403))
        a.get('/other', sendStatus(403))
      })
      for (let i = 0; i < 3; i++) await request(`${app.url}/health`)
      for (let i = 0; i < 3; i++) await request(`${app.url}/admin`)
      await request(`${app.url}/other`)
      assert.equal((await app.of('authn_unauthorized')).length, 0)
      const denied = await app.of('authz_fail')
      assert.deepEqual(
        denied.map((e) => [e.HttpRoute, e.EventCount]),
        [
          ['/admin', 1],
          ['/other', 1],
        ],
        'threshold 1 on /admin: the first 403 is reported, the rest aggregated at close',
      )
      await app.close()
      const all = app.events.filter((e) => e.EventOriginalType === 'authz_fail')
      assert.deepEqual(
        all.map((e) => e.EventCount),
        [1, 1, 2],
        "the window closing reports the rest of /admin's burst (an aggregate: no single route)",
      )
    })

    test('config-file route patterns work without wp.route()', async () => {
      const app = await start(express, { routes: [{ match: '/health', ignore: true }] }, (a) => {
        a.get('/health', sendStatus(401))
      })
      await request(`${app.url}/health`)
      assert.equal((await app.of('authn_unauthorized')).length, 0)
      await app.close()
    })

    test('invalid options fail at registration with the path and the reason', async () => {
      const app = await start(express, {}, () => {})
      assert.throws(
        () => app.wp.route({ detectors: { notFound: { threshold: 'ten' as unknown as number } } }),
        (err: Error & { code?: string }) =>
          err.code === 'ERR_WATCHPOST_ROUTE_OPTIONS_INVALID' &&
          /detectors\.notFound\.threshold/.test(err.message),
      )
      assert.throws(() => app.wp.route({ ignroe: true } as never), /unknown option "ignroe"/)
      await app.close()
    })
  })

  describe(`${name}: mounting`, () => {
    test('mounted on the app and on a router, a request is observed once', async () => {
      const app = await start(express, {}, (a, wp) => {
        const router = express.Router()
        router.use(wp!)
        router.get('/me', sendStatus(401))
        a.use('/api', router)
      })
      await request(`${app.url}/api/me`)
      const events = await app.of('authn_unauthorized')
      assert.equal(events.length, 1)
      assert.equal(events[0]?.HttpRoute, '/api/me')
      await app.close()
    })

    test('two apps, two middlewares: each observes only its own responses, also after the other closed', async () => {
      const a = await start(express, {}, (app) => app.get('/me', sendStatus(401)), { observe: false })
      const b = await start(express, {}, (app) => app.get('/me', sendStatus(401)), { observe: false })
      try {
        await request(`${a.url}/me`)
        await request(`${b.url}/me`)
        await request(`${b.url}/me`)
        assert.equal((await a.of('authn_unauthorized')).length, 1)
        assert.equal((await b.of('authn_unauthorized')).length, 2)
        // Each middleware took its own server from its own responses, not the other's.
        assert.equal(a.server.listenerCount('clientError'), 1)
        assert.equal(b.server.listenerCount('clientError'), 1)
        await a.close()
        await request(`${b.url}/me`)
        assert.equal((await b.of('authn_unauthorized')).length, 3, 'still observed after the other closed')
      } finally {
        await a.close()
        await b.close()
      }
    })

    test('watchpost() with no options discovers the config file as usual', async () => {
      const wp = watchpost(undefined, { cwd: '/nonexistent-dir-for-watchpost', env: {} })
      assert.equal(wp.instance.config.source.file, undefined)
      assert.equal(typeof wp.errors(), 'function')
      assert.equal(wp.errors().length, 4, 'Express recognises error middleware by its arity')
      await wp.close()
    })
  })
}
