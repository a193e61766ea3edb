/**
 * Each core detector driven through the Express adapter (Express 4 and 5): real HTTP on 127.0.0.1,
 * assertions on the emitted events' fields, and the responses compared with the same app without
 * Watchpost.
 */
import assert from 'node:assert/strict'
import { createHmac, createSecretKey } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, test } from 'node:test'
import { clientHangUps, hangUp } from '@watchpost/core/testing'
import cors from 'cors'
import type { Request, Response } from 'express'
import { rateLimit } from 'express-rate-limit'
import { raw, request, sameAnswers, start, startBare, VERSIONS } from './support/app.js'

const sendStatus = (code: number) => (_req: Request, res: Response) => {
  res.sendStatus(code)
}

/** An HS256 JWT signed with node:crypto (no token library needed for the test). */
function hs256(secret: Buffer, claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
  const head = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`
}

for (const [name, express] of VERSIONS) {
  describe(`${name}: authFailure`, () => {
    test('401s are reported up to the threshold and the rest of the burst once, with route and user', async () => {
      const app = await start(express, { detectors: { authFailure: { threshold: 3 } } }, (a) => {
        const api = express.Router()
        api.get('/accounts/:id', (req, res) => {
          req.watchpost.setUser('alice')
          res.sendStatus(401)
        })
        a.use('/api', api)
        a.get('/admin', sendStatus(403))
      })
      for (let i = 0; i < 5; i++) assert.equal((await request(`${app.url}/api/accounts/${i}`)).status, 401)
      assert.equal((await request(`${app.url}/admin`)).status, 403)
      const unauthorized = await app.of('authn_unauthorized')
      assert.equal(unauthorized.length, 3)
      assert.equal(unauthorized[0]?.HttpRoute, '/api/accounts/:id', 'req.baseUrl + req.route.path')
      assert.equal(unauthorized[0]?.ActorUsername, 'alice')
      assert.equal(unauthorized[0]?.SrcIpAddr, '127.0.0.1')
      assert.equal(unauthorized[0]?.HttpStatusCode, 401)
      const [denied] = await app.of('authz_fail')
      assert.equal(denied?.HttpStatusCode, 403)
      assert.equal(denied?.HttpRoute, '/admin')
      assert.equal(denied?.AdditionalFields?.Resource, '/admin', 'the resource defaults to the route')
      await app.close()
      const all = app.events.filter((e) => e.EventOriginalType === 'authn_unauthorized')
      assert.equal(all.length, 4, 'the window closing reports the rest of the burst')
      assert.equal(all[3]?.EventCount, 2)
    })
  })

  describe(`${name}: rules in protect mode`, () => {
    test('credential stuffing blocks its source with 429 and Retry-After; other sources go on', async () => {
      const stuffing = {
        id: 'watchpost.credential-stuffing',
        response: { action: 'block', durationSeconds: 60 },
      } as const
      const app = await start(
        express,
        { mode: 'protect', trustProxy: 'loopback', rules: [stuffing] },
        (a) => {
          a.post('/login', express.json(), (req, res) => {
            req.watchpost.authn.loginFail({ userId: String(req.body?.username), reason: 'bad_password' })
            res.sendStatus(401)
          })
        },
      )
      const login = (user: string, from: string) =>
        request(`${app.url}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
          body: JSON.stringify({ username: user }),
        })
      for (let i = 0; i < 10; i++) assert.equal((await login(`user${i}`, '203.0.113.7')).status, 401)
      const refused = await login('user10', '203.0.113.7')
      assert.equal(refused.status, 429)
      assert.equal(refused.headers['retry-after'], '60')
      assert.deepEqual(JSON.parse(refused.body), { error: 'Too Many Requests' })
      assert.equal((await login('user0', '198.51.100.2')).status, 401, 'another source is not blocked')
      const [firing] = await app.of('rule_threshold_authn')
      assert.equal(firing?.RuleName, 'watchpost.credential-stuffing')
      const [blocked] = await app.of('access_blocked')
      assert.equal(blocked?.SrcIpAddr, '203.0.113.7')
      assert.deepEqual(
        await app.of('excess_rate_limit_exceeded'),
        [],
        'its own 429 is not the app’s rate limit',
      )
      await app.close()
    })
  })

  describe(`${name}: jwt`, () => {
    const secret = Buffer.from('0123456789abcdef0123456789abcdef')

    test('the core verifier in a route records the reason; the 401 is not reported twice', async () => {
      const app = await start(express, {}, (a, wp) => {
        const verify = wp!.instance.createJwtVerifier({ algorithms: ['HS256'], key: createSecretKey(secret) })
        // wp.route() names the route before the handler runs: the failure is recorded inside it.
        a.get('/me', wp!.route(), (req, res) => {
          verify(req).then(
            (claims) => res.json({ sub: claims.sub }),
            () => res.sendStatus(401),
          )
        })
      })
      const now = Math.floor(Date.now() / 1000)
      const ok = hs256(secret, { sub: 'alice', exp: now + 60 })
      const expired = hs256(secret, { sub: 'alice', exp: now - 3600 })
      assert.equal(
        (await request(`${app.url}/me`, { headers: { authorization: `Bearer ${ok}` } })).status,
        200,
      )
      assert.equal(
        (await request(`${app.url}/me`, { headers: { authorization: `Bearer ${expired}` } })).status,
        401,
      )
      assert.equal(
        (await request(`${app.url}/me`, { headers: { authorization: `Bearer ${ok}x` } })).status,
        401,
      )
      assert.equal((await request(`${app.url}/me`)).status, 401)
      const failures = await app.of('authn_jwt_fail')
      assert.deepEqual(
        failures.map((e) => e.EventOriginalResultDetails),
        ['expired', 'bad_signature', 'missing'],
      )
      assert.equal(failures[0]?.HttpRoute, '/me')
      assert.equal((await app.of('authn_unauthorized')).length, 0)
      const json = JSON.stringify(app.events)
      assert.ok(!json.includes(expired.split('.')[1]!), 'the token never reaches an event')
      await app.close()
    })

    test("an alg_not_allowed failure records the alg of the token's header, bounded and sanitised", async () => {
      const app = await start(express, {}, (a, wp) => {
        const verify = wp!.instance.createJwtVerifier({ algorithms: ['HS256'], key: createSecretKey(secret) })
        a.get('/me', (req, res) => {
          verify(req).then(
            () => res.sendStatus(200),
            () => res.sendStatus(401),
          )
        })
        // The app's own verifier (jose) rejected the token; jose's error names no algorithm.
        a.get('/own', (req, res) => {
          req.watchpost.reportJwtFailure(
            Object.assign(new Error('"alg" (Algorithm) Header Parameter value not allowed'), {
              code: 'ERR_JOSE_ALG_NOT_ALLOWED',
            }),
          )
          res.sendStatus(401)
        })
      })
      const token = (header: object) =>
        `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from('{"sub":"alice"}').toString('base64url')}.c2ln`
      const hs512 = token({ alg: 'HS512', typ: 'JWT' })
      const hostile = token({ alg: `none\r\n<script>${'x'.repeat(100)}`, kid: 'k' })
      for (const [path, t] of [
        ['/me', hs512],
        ['/me', hostile],
        ['/own', hs512],
      ] as const) {
        assert.equal(
          (await request(app.url + path, { headers: { authorization: `Bearer ${t}` } })).status,
          401,
        )
      }
      const failures = await app.of('authn_jwt_fail')
      assert.deepEqual(
        failures.map((e) => [e.EventOriginalResultDetails, e.AdditionalFields?.Algorithm]),
        [
          ['alg_not_allowed', 'HS512'],
          ['alg_not_allowed', `none???script?${'x'.repeat(18)}`],
          ['alg_not_allowed', 'HS512'],
        ],
      )
      const json = JSON.stringify(app.events)
      assert.ok(!json.includes(hs512.split('.')[1]!) && !json.includes('alice'), 'no claim reaches an event')
      await app.close()
    })

    test("req.watchpost.reportJwtFailure classifies express-jwt's error", async () => {
      const app = await start(express, {}, (a) => {
        a.get('/orders', (_req, _res, next) => {
          // What express-jwt passes on for an expired token (UnauthorizedError wrapping jsonwebtoken's).
          next(
            Object.assign(new Error('jwt expired'), {
              name: 'UnauthorizedError',
              code: 'invalid_token',
              status: 401,
              inner: { name: 'TokenExpiredError', message: 'jwt expired' },
            }),
          )
        })
        a.use((err: { name?: string }, req: Request, res: Response, next: (e: unknown) => void) => {
          if (err.name !== 'UnauthorizedError') return next(err)
          req.watchpost.reportJwtFailure(err)
          res.status(401).json({ error: 'invalid token' })
        })
      })
      const answer = await request(`${app.url}/orders`)
      assert.equal(answer.status, 401)
      assert.equal(answer.body, '{"error":"invalid token"}')
      const [failure] = await app.of('authn_jwt_fail')
      assert.equal(failure?.EventOriginalResultDetails, 'expired')
      assert.equal(failure?.EventResultDetails, 'Session expired')
      assert.equal((await app.of('authn_unauthorized')).length, 0)
      await app.close()
    })
  })

  describe(`${name}: notFound`, () => {
    test("a flood of Express's own 404s is aggregated; scanner paths are reported at once", async () => {
      const setup = (a: import('express').Express) => {
        a.get('/', (_req, res) => {
          res.send('home')
        })
      }
      const app = await start(express, { detectors: { notFound: { threshold: 5 } } }, setup)
      const bare = await startBare(express, setup)
      const paths = ['/.env', '/a', '/b', '/c', '/d', '/e', '/f']
      const answers = await sameAnswers(
        app,
        bare,
        paths.map((p) => [p] as const),
      )
      assert.ok(answers.every((a) => a.status === 404))
      const [probe] = await app.of('access_not_found')
      assert.equal(probe?.AdditionalFields?.Path, '/.env')
      assert.equal(probe?.AdditionalFields?.ScannerProbe, true)
      const floods = await app.of('malicious_excess_404')
      assert.equal(floods.length, 1)
      assert.equal(floods[0]?.EventCount, 5)
      assert.equal(floods[0]?.SrcIpAddr, '127.0.0.1')
      await app.close()
      await bare.close()
      const all = app.events.filter((e) => e.EventOriginalType === 'malicious_excess_404')
      assert.equal(
        all.reduce((n, e) => n + e.EventCount, 0),
        7,
        'EventCount sums to the real number of misses',
      )
    })
  })

  describe(`${name}: notFound, what is not a miss`, () => {
    test('a CORS preflight and a TRACE request answered 404 are not counted as not-found misses', async () => {
      const app = await start(
        express,
        { detectors: { notFound: { threshold: 3, reportEach: true } } },
        (a) => {
          a.get('/', (_req, res) => {
            res.send('home')
          })
        },
      )
      for (let i = 0; i < 3; i++) {
        const preflight = await request(`${app.url}/api/items`, {
          method: 'OPTIONS',
          headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' },
        })
        assert.equal(preflight.status, 404)
        const traced = await raw(app.url, 'TRACE /api/items HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        assert.match(traced, /^HTTP\/1\.1 404 /)
      }
      // The app has no CORS policy, so a preflight it answers 404 is no CORS refusal either.
      assert.equal((await app.of('malicious_cors')).length, 0, 'no CORS policy, no CORS events')
      assert.equal((await app.of('malicious_unexpected_method')).length, 3)
      assert.equal((await app.of('access_not_found')).length, 0)
      assert.equal((await app.of('malicious_excess_404')).length, 0)
      for (let i = 0; i < 3; i++) await request(`${app.url}/missing-${i}`)
      const [flood] = await app.of('malicious_excess_404')
      assert.equal(flood?.EventCount, 3, 'real misses still count')
      assert.deepEqual(flood?.AdditionalFields?.SamplePaths, ['/missing-0', '/missing-1', '/missing-2'])
      await app.close()
    })
  })

  describe(`${name}: cors`, () => {
    const allowed = ['https://shop.example', /^https:\/\/[a-z]+\.shop\.example$/]
    const requests = [
      ['/api', { headers: { origin: 'https://evil.example' } }],
      ['/api', { headers: { origin: 'https://shop.example' } }],
      ['/api', { headers: { origin: 'https://eu.shop.example' } }],
      ['/api', { headers: { origin: 'https://eu.shop.example' } }],
      ['/api', {}],
      [
        '/api',
        {
          method: 'OPTIONS',
          headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' },
        },
      ],
      [
        '/api',
        {
          method: 'OPTIONS',
          headers: { origin: 'https://shop.example', 'access-control-request-method': 'DELETE' },
        },
      ],
    ] as const

    test('cors(wp.cors(list)) answers as cors({ origin: list }) and records each refusal', async () => {
      const app = await start(express, {}, (a, wp) => {
        a.use(cors(wp!.cors(allowed, { credentials: true })))
        a.get('/api', (_req, res) => {
          res.json({ ok: true })
        })
      })
      const bare = await startBare(express, (a) => {
        a.use(cors({ origin: allowed, credentials: true }))
        a.get('/api', (_req, res) => {
          res.json({ ok: true })
        })
      })
      const answers = await sameAnswers(app, bare, requests)
      assert.equal(answers[1]?.headers['access-control-allow-origin'], 'https://shop.example')
      assert.equal(answers[0]?.headers['access-control-allow-origin'], undefined)
      // Browsers send Origin on same-origin POSTs too: not a refusal.
      await request(`${app.url}/api`, { method: 'POST', headers: { origin: app.url } })
      const events = await app.of('malicious_cors')
      assert.deepEqual(
        events.map((e) => [e.AdditionalFields?.Origin, e.AdditionalFields?.Preflight]),
        [
          ['https://evil.example', false],
          ['https://evil.example', true],
        ],
        'one event per refused request: the inference from the response does not report it again',
      )
      await app.close()
      await bare.close()
    })

    test('without the wrapper, a refusal is inferred from the response once the app has shown its policy', async () => {
      const setup = (a: import('express').Express) => {
        a.use(cors({ origin: allowed }))
        a.get('/api', (_req, res) => {
          res.json({ ok: true })
        })
      }
      const app = await start(express, {}, setup)
      const bare = await startBare(express, setup)
      // A granted origin first: until the app has answered one with Access-Control-Allow-Origin,
      // nothing says it has a CORS policy (detectors.md).
      await sameAnswers(app, bare, [['/api', { headers: { origin: 'https://shop.example' } }], ...requests])
      const events = await app.of('malicious_cors')
      assert.deepEqual(
        events.map((e) => [e.AdditionalFields?.Origin, e.AdditionalFields?.Preflight]),
        [
          ['https://evil.example', false],
          ['https://evil.example', true],
        ],
      )
      await app.close()
      await bare.close()
    })

    test('an origin function that throws refuses the origin and does not break the request', async () => {
      const app = await start(express, {}, (a, wp) => {
        a.use(
          cors(
            wp!.cors((origin) => {
              if (origin.includes('boom')) throw new Error('boom')
              return origin === 'https://shop.example'
            }),
          ),
        )
        a.get('/api', (_req, res) => {
          res.json({ ok: true })
        })
      })
      const answer = await request(`${app.url}/api`, { headers: { origin: 'https://boom.example' } })
      assert.equal(answer.status, 200)
      assert.equal(answer.headers['access-control-allow-origin'], undefined)
      assert.equal((await app.of('malicious_cors')).length, 1)
      await app.close()
    })

    test('misuse throws a coded error at registration', async () => {
      const app = await start(express, {}, () => {})
      assert.throws(() => app.wp.cors([42 as unknown as string]), { code: 'ERR_WATCHPOST_ORIGINS_INVALID' })
      assert.throws(() => app.wp.cors(['https://a.example'], { origin: '*' }), /decided by `allowed`/)
      await app.close()
    })
  })

  describe(`${name}: rateLimit`, () => {
    const limiter = (handler?: Parameters<typeof rateLimit>[0] extends infer O ? O : never) =>
      rateLimit({ windowMs: 60_000, limit: 2, standardHeaders: 'draft-7', legacyHeaders: false, ...handler })

    test('wp.rateLimitHandler() records the limit and answers as the default handler', async () => {
      const app = await start(express, {}, (a, wp) => {
        a.post('/login', limiter({ handler: wp!.rateLimitHandler() }), sendStatus(200))
      })
      const bare = await startBare(express, (a) => {
        a.post('/login', limiter(), sendStatus(200))
      })
      const answers = await sameAnswers(app, bare, [
        ['/login', { method: 'POST' }],
        ['/login', { method: 'POST' }],
        ['/login', { method: 'POST' }],
      ])
      assert.deepEqual(
        answers.map((a) => a.status),
        [200, 200, 429],
      )
      assert.equal(answers[2]?.body, 'Too many requests, please try again later.')
      const [event] = await app.of('excess_rate_limit_exceeded')
      assert.deepEqual(event?.AdditionalFields, { Max: 2, WindowSeconds: 60 })
      assert.equal(event?.HttpRoute, '/login')
      assert.equal((await app.of('excess_rate_limit_exceeded')).length, 1, 'the 429 is not inferred again')
      await app.close()
      await bare.close()
    })

    test("the app's handler and message function are kept; a limit function is read from the request", async () => {
      const options = {
        limit: () => 1,
        message: async () => ({ error: 'slow down' }),
        statusCode: 503,
      }
      const app = await start(express, {}, (a, wp) => {
        a.get('/default', limiter({ ...options, handler: wp!.rateLimitHandler() }), sendStatus(200))
        a.get(
          '/custom',
          limiter({
            limit: 1,
            handler: wp!.rateLimitHandler((_req, res) => {
              res.status(429).json({ custom: true })
            }),
          }),
          sendStatus(200),
        )
      })
      const bare = await startBare(express, (a) => {
        a.get('/default', limiter(options), sendStatus(200))
        a.get(
          '/custom',
          limiter({
            limit: 1,
            handler: (_req, res) => {
              res.status(429).json({ custom: true })
            },
          }),
          sendStatus(200),
        )
      })
      const answers = await sameAnswers(app, bare, [['/default'], ['/default'], ['/custom'], ['/custom']])
      assert.deepEqual(
        answers.map((a) => [a.status, a.body]),
        [
          [200, 'OK'],
          [503, '{"error":"slow down"}'],
          [200, 'OK'],
          [429, '{"custom":true}'],
        ],
      )
      const events = await app.of('excess_rate_limit_exceeded')
      assert.deepEqual(
        events.map((e) => e.AdditionalFields?.Max),
        [1, 1],
      )
      await app.close()
      await bare.close()
    })

    test('a 429 without the handler is inferred from the response', async () => {
      const app = await start(express, {}, (a) => {
        a.get('/search', limiter({ limit: 1 }), sendStatus(200))
      })
      await request(`${app.url}/search`)
      assert.equal((await request(`${app.url}/search`)).status, 429)
      const [event] = await app.of('excess_rate_limit_exceeded')
      assert.equal(event?.HttpStatusCode, 429)
      await app.close()
    })

    test("a 429 without the handler carries the limit and window of the limiter's headers", async () => {
      const app = await start(express, {}, (a) => {
        a.get('/draft-6', limiter({ limit: 1, standardHeaders: 'draft-6' }), sendStatus(200))
        a.get('/draft-7', limiter({ limit: 2, standardHeaders: 'draft-7' }), sendStatus(200))
        a.get(
          '/draft-8',
          limiter({ limit: 1, windowMs: 90_000, standardHeaders: 'draft-8', identifier: 'per-ip' }),
          sendStatus(200),
        )
        // The legacy headers give the limit only: X-RateLimit-Reset is a time, not the window.
        a.get('/legacy', limiter({ limit: 1, standardHeaders: false, legacyHeaders: true }), sendStatus(200))
      })
      const statuses = []
      for (const path of [
        '/draft-6',
        '/draft-6',
        '/draft-7',
        '/draft-7',
        '/draft-7',
        '/draft-8',
        '/draft-8',
        '/legacy',
        '/legacy',
      ])
        statuses.push((await request(app.url + path)).status)
      assert.deepEqual(statuses, [200, 429, 200, 200, 429, 200, 429, 200, 429])
      const events = await app.of('excess_rate_limit_exceeded')
      assert.deepEqual(
        events.map((e) => [e.HttpRequestMethod, e.AdditionalFields, e.EventMessage]),
        [
          ['GET', { Max: 1, WindowSeconds: 60 }, 'Rate limit of 1 exceeded'],
          ['GET', { Max: 2, WindowSeconds: 60 }, 'Rate limit of 2 exceeded'],
          ['GET', { Max: 1, WindowSeconds: 90 }, 'Rate limit of 1 exceeded'],
          ['GET', { Max: 1 }, 'Rate limit of 1 exceeded'],
        ],
      )
      await app.close()
    })
  })

  describe(`${name}: malformedBody`, () => {
    const requests = [
      ['/api', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' }],
      [
        '/api',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: `"${'x'.repeat(200)}"` },
      ],
      [
        '/api',
        { method: 'POST', headers: { 'content-type': 'application/json; charset=koi8-r' }, body: '{"a":1}' },
      ],
      [
        '/api',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
          body: 'not gzip at all',
        },
      ],
      ['/api', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' }],
    ] as const

    test("body-parser errors are recorded by type; Express's answer is unchanged", async () => {
      const setup = (a: import('express').Express, _wp: unknown, e: typeof express) => {
        a.use(e.json({ limit: '100b' }))
        a.post('/api', (req, res) => {
          res.json(req.body)
        })
      }
      const app = await start(express, {}, setup)
      const bare = await startBare(express, setup)
      const answers = await sameAnswers(app, bare, requests)
      assert.deepEqual(
        answers.map((a) => a.status),
        [400, 413, 415, 400, 200],
      )
      const events = await app.of('input_validation_malformed_body')
      assert.deepEqual(
        events.map((e) => [e.EventOriginalResultDetails, e.AdditionalFields?.ErrorCode]),
        [
          ['invalid_json', 'entity.parse.failed'],
          ['too_large', 'entity.too.large'],
          ['bad_charset', 'charset.unsupported'],
          ['bad_compression', 'Z_DATA_ERROR'],
        ],
      )
      const json = JSON.stringify(app.events)
      assert.ok(!json.includes('xxxxxxxxxx'), 'the raw body never reaches an event')
      await app.close()
      await bare.close()
    })

    test("wp.errors() passes the same error on to the app's error handler", async () => {
      const seen: unknown[] = []
      const app = await start(express, {}, (a, _wp, e) => {
        a.use(e.json())
        a.post('/api', (_req, res) => {
          res.end()
        })
      })
      // Registered after wp.errors() by start(): mount another app-level handler behind it.
      const inner = express()
      inner.use(app.wp)
      inner.use(express.json())
      inner.post('/api', (_req, res) => {
        res.end()
      })
      inner.use(app.wp.errors())
      inner.use((err: { type?: string }, _req: Request, res: Response, _next: unknown) => {
        seen.push(err)
        res.status(422).json({ type: err.type })
      })
      const server = http.createServer(inner)
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      try {
        const answer = await request(`${url}/api`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{',
        })
        assert.equal(answer.status, 422)
        assert.equal(answer.body, '{"type":"entity.parse.failed"}')
        assert.equal(seen.length, 1)
        assert.equal((seen[0] as { type?: string }).type, 'entity.parse.failed')
        assert.equal((await app.of('input_validation_malformed_body')).length, 1)
      } finally {
        server.closeAllConnections()
        await new Promise((r) => server.close(r))
      }
      await app.close()
    })
  })

  describe(`${name}: protocol`, () => {
    test('an unexpected method (PROPFIND) is recorded; the 404 is the same', async () => {
      const setup = (a: import('express').Express) => {
        a.get('/files', sendStatus(200))
      }
      const app = await start(express, {}, setup)
      const bare = await startBare(express, setup)
      await sameAnswers(app, bare, [['/files', { method: 'PROPFIND' }]])
      const [event] = await app.of('malicious_unexpected_method')
      assert.equal(event?.HttpRequestMethod, 'PROPFIND')
      assert.equal(event?.SrcIpAddr, '127.0.0.1')
      await app.close()
      await bare.close()
    })

    test("TRACK, refused by Node's parser, is recorded and answered as a bare server answers", async () => {
      const setup = (a: import('express').Express) => {
        a.get('/', sendStatus(200))
      }
      // wp.observe(server) right after listen: the very first request can be one Node refuses.
      const app = await start(express, {}, setup)
      const bare = await startBare(express, setup)
      for (const bytes of ['TRACK / HTTP/1.1\r\nHost: x\r\n\r\n', 'GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n']) {
        assert.equal(await raw(app.url, bytes), await raw(bare.url, bytes))
      }
      const [method] = await app.of('malicious_unexpected_method')
      assert.equal(method?.HttpRequestMethod, 'TRACK')
      assert.equal(method?.HttpStatusCode, 400)
      const [parse] = await app.of('malicious_protocol_violation')
      assert.equal(parse?.EventOriginalResultDetails, 'parse_error')
      await app.close()
      await bare.close()
    })

    test('a client that resets, cuts its request, aborts its upload or leaves before the answer records nothing', async () => {
      const app = await start(express, {}, (a, _wp, e) => {
        a.get('/', sendStatus(200))
        a.post('/upload', e.json(), sendStatus(200))
        // Answers once the client has gone: Node never finishes that response.
        a.get('/late', (req, res) => {
          req.on('close', () => res.sendStatus(401))
        })
      })
      for (const hang of clientHangUps({ get: '/', post: '/upload', late: '/late' })) {
        await hangUp(app.server, hang)
        await app.wp.instance.flush()
        assert.deepEqual(
          app.events.map((e) => [e.EventOriginalType, e.AdditionalFields?.ErrorCode]),
          [],
          hang.name,
        )
      }
      // The detector still works: a control character in a header value, answered by Node's 400.
      assert.match(await raw(app.url, 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n'), /^HTTP\/1.1 400 /)
      const [violation] = await app.of('malicious_protocol_violation')
      assert.equal(violation?.AdditionalFields?.ErrorCode, 'HPE_INVALID_HEADER_TOKEN')
      assert.equal(app.events.length, 1, 'one event, no other')
      await app.close()
    })

    test('without wp.observe(), the server is observed from its first response on, once', async () => {
      const app = await start(express, {}, (a) => a.get('/', sendStatus(200)), { observe: false })
      assert.equal(app.server.listenerCount('clientError'), 0)
      await request(`${app.url}/`)
      await request(`${app.url}/`)
      app.wp.observe(app.server)
      assert.equal(app.server.listenerCount('clientError'), 1)
      await raw(app.url, 'TRACK / HTTP/1.1\r\nHost: x\r\n\r\n')
      assert.equal((await app.of('malicious_unexpected_method')).length, 1)
      await app.close()
    })
  })
}
