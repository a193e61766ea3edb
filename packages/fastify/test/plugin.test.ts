import assert from 'node:assert/strict'
import net from 'node:net'
import { describe, test } from 'node:test'
import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import type { SecurityEvent, Sink } from '@watchpost/core'
import { clientHangUps, hangUp } from '@watchpost/core/testing'
import fastify5, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import fastify4 from 'fastify4'
import cors4 from 'fastify4-cors'
import rateLimit4 from 'fastify4-rate-limit'
import watchpost from '../src/index.js'

type FastifyFactory = typeof fastify5

function memorySink(): Sink & { events: SecurityEvent[] } {
  const events: SecurityEvent[] = []
  return { name: 'memory', events, send: async (batch) => void events.push(...batch), close: async () => {} }
}

/** The same app, with or without Watchpost: the responses must not differ. */
async function build(
  fastify: FastifyFactory,
  opts: {
    watchpost?: boolean
    options?: Record<string, unknown>
    routes?: (app: ReturnType<FastifyFactory>) => void
    sinks?: Sink[]
  } = {},
) {
  const sink = memorySink()
  const app = fastify({ bodyLimit: 64 })
  if (opts.watchpost !== false) {
    // The in-memory sink goes in through `runtime.sinks`, the way @watchpost/sentinel plugs in.
    await app.register(watchpost, {
      config: false,
      sinks: [],
      ...opts.options,
      runtime: { sinks: [sink, ...(opts.sinks ?? [])] },
    } as never)
  }
  app.post('/login', async (request, reply) => {
    const { username, password } = (request.body ?? {}) as { username?: string; password?: string }
    if (password !== 'right') {
      request.watchpost?.authn.loginFail({ userId: String(username), reason: 'bad_password' })
      return reply.code(401).send({ error: 'invalid credentials' })
    }
    request.watchpost?.setUser(String(username))
    request.watchpost?.authn.loginSuccess({ userId: String(username) })
    return { ok: true }
  })
  app.get('/admin', async (_request, reply) => reply.code(403).send({ error: 'forbidden' }))
  app.get('/private', async (_request, reply) => reply.code(401).send({ error: 'who are you' }))
  app.get('/boom', async () => {
    throw new Error('kaput')
  })
  app.get('/health', { config: { watchpost: { ignore: true } } }, async (_request, reply) =>
    reply.code(401).send(),
  )
  app.get('/users/:id', async (request) => ({ id: (request.params as { id: string }).id }))
  opts.routes?.(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address() as net.AddressInfo
  const url = `http://127.0.0.1:${address.port}`
  return {
    app,
    url,
    sink,
    async of(name: string) {
      await app.watchpost?.flush()
      return sink.events.filter((e) => e.EventOriginalType === name)
    },
  }
}

function raw(url: string, request: string): Promise<string> {
  const { port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(request))
    let data = ''
    socket.on('data', (c) => {
      data += c.toString('latin1')
    })
    const done = () => resolve(data.replace(/date: [^\r]+\r\n/i, ''))
    socket.on('close', done)
    // A server that answers before the request is fully sent (431) resets the rest of the upload.
    socket.on('error', (err) => (data === '' ? reject(err) : done()))
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')))
  })
}

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})

for (const [name, fastify] of [
  ['fastify 5', fastify5],
  ['fastify 4', fastify4 as unknown as FastifyFactory],
] as const) {
  describe(`@watchpost/fastify on ${name}`, () => {
    test('the app API records semantic events with the request context; the 401 is not reported twice', async () => {
      const t = await build(fastify)
      const res = await fetch(`${t.url}/login`, {
        ...json({ username: 'alice', password: 'nope' }),
        headers: { 'content-type': 'application/json', 'x-request-id': 'req-42' },
      })
      assert.equal(res.status, 401)
      assert.equal(res.headers.get('x-request-id'), null, 'no echo header unless configured')
      await fetch(`${t.url}/login`, json({ username: 'alice', password: 'right' }))
      const [fail] = await t.of('authn_login_fail')
      assert.equal(fail?.CorrelationId, 'req-42')
      assert.equal(fail?.HttpRoute, '/login')
      assert.equal(fail?.TargetUsername, 'alice')
      assert.equal(fail?.SrcIpAddr, '127.0.0.1')
      const [ok] = await t.of('authn_login_success')
      assert.equal(ok?.ActorUsername, 'alice')
      assert.equal((await t.of('authn_unauthorized')).length, 0)
      await t.app.close()
    })

    test('401/403 responses, 404 floods and scanner probes are inferred', async () => {
      const t = await build(fastify, { options: { detectors: { notFound: { threshold: 5 } } } })
      await fetch(`${t.url}/private`)
      await fetch(`${t.url}/admin`)
      for (let i = 0; i < 5; i++) await fetch(`${t.url}/nope-${i}`)
      await fetch(`${t.url}/.env`)
      const [unauthorized] = await t.of('authn_unauthorized')
      assert.equal(unauthorized?.HttpRoute, '/private')
      assert.equal(unauthorized?.HttpStatusCode, 401)
      assert.equal((await t.of('authz_fail'))[0]?.HttpRoute, '/admin')
      const [flood] = await t.of('malicious_excess_404')
      assert.equal(flood?.EventCount, 5)
      assert.equal((await t.of('access_not_found'))[0]?.AdditionalFields?.Path, '/.env')
      await t.app.close()
    })

    test("an alg_not_allowed failure records the alg of the token's header (core verifier, @fastify/jwt's errors)", async () => {
      const t = await build(fastify, {
        routes: (app) => {
          const verify = app.watchpost.createJwtVerifier({
            algorithms: ['HS256'],
            key: new TextEncoder().encode('0123456789abcdef0123456789abcdef'),
          })
          app.get('/me', async (request: FastifyRequest, reply: FastifyReply) => {
            try {
              return await verify(request.raw)
            } catch {
              return reply.code(401).send()
            }
          })
          // What @fastify/jwt rejects with: fast-jwt's error inside, or its own for an unsigned token.
          app.get('/fastify-jwt', async (request: FastifyRequest, reply: FastifyReply) => {
            request.watchpost.reportJwtFailure(
              request.headers['x-unsigned'] === undefined
                ? {
                    code: 'FST_JWT_AUTHORIZATION_TOKEN_INVALID',
                    cause: { code: 'FAST_JWT_INVALID_ALGORITHM' },
                  }
                : { code: 'FST_JWT_AUTHORIZATION_TOKEN_UNSIGNED' },
            )
            return reply.code(401).send()
          })
        },
      })
      const token = (alg: string) =>
        `${Buffer.from(JSON.stringify({ alg })).toString('base64url')}.${Buffer.from('{"sub":"alice"}').toString('base64url')}.`
      const bearer = (alg: string, extra: Record<string, string> = {}) => ({
        headers: { authorization: `Bearer ${token(alg)}`, ...extra },
      })
      assert.equal((await fetch(`${t.url}/me`, bearer('HS512'))).status, 401)
      assert.equal((await fetch(`${t.url}/fastify-jwt`, bearer('RS256'))).status, 401)
      assert.equal((await fetch(`${t.url}/fastify-jwt`, bearer('none', { 'x-unsigned': '1' }))).status, 401)
      const failures = await t.of('authn_jwt_fail')
      assert.deepEqual(
        failures.map((e) => [
          e.HttpRequestMethod,
          e.EventOriginalResultDetails,
          e.AdditionalFields?.Algorithm,
        ]),
        [
          ['GET', 'alg_not_allowed', 'HS512'],
          ['GET', 'alg_not_allowed', 'RS256'],
          ['GET', 'alg_not_allowed', 'none'],
        ],
      )
      assert.ok(!JSON.stringify(t.sink.events).includes('alice'), 'no claim reaches an event')
      await t.app.close()
    })

    test('route config: ignore, and the route pattern is recorded', async () => {
      const t = await build(fastify)
      for (let i = 0; i < 3; i++) assert.equal((await fetch(`${t.url}/health`)).status, 401)
      assert.equal((await t.of('authn_unauthorized')).length, 0)
      await t.app.close()
    })

    test('malformed bodies are recorded and answered exactly as without the plugin', async () => {
      const bare = await build(fastify, { watchpost: false })
      const t = await build(fastify)
      const cases: Array<[string, RequestInit]> = [
        ['invalid_json', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' }],
        [
          'too_large',
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ a: 'x'.repeat(100) }),
          },
        ],
        [
          'unsupported_media_type',
          { method: 'POST', headers: { 'content-type': 'application/x-unknown' }, body: 'x' },
        ],
        ['empty_body', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '' }],
      ]
      for (const [, init] of cases) {
        const [a, b] = await Promise.all([fetch(`${bare.url}/login`, init), fetch(`${t.url}/login`, init)])
        assert.equal(b.status, a.status)
        assert.equal(await b.text(), await a.text())
      }
      const events = await t.of('input_validation_malformed_body')
      assert.deepEqual(
        events.map((e) => e.EventOriginalResultDetails),
        cases.map(([reason]) => reason),
      )
      assert.match(String(events[0]?.AdditionalFields?.ErrorCode), /^FST_ERR_CTP_/)
      await bare.app.close()
      await t.app.close()
    })

    test('an error thrown by a route reaches the app unchanged; __proto__ in the body pollutes nothing', async () => {
      const bare = await build(fastify, { watchpost: false })
      const t = await build(fastify)
      const [a, b] = await Promise.all([fetch(`${bare.url}/boom`), fetch(`${t.url}/boom`)])
      assert.equal(b.status, a.status)
      assert.equal(await b.text(), await a.text())
      const r = await fetch(`${t.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"username":"x","__proto__":{"polluted":true},"password":"nope"}',
      })
      assert.ok([400, 401].includes(r.status))
      assert.equal(({} as Record<string, unknown>).polluted, undefined)
      await bare.app.close()
      await t.app.close()
    })

    test("bad input: a throwing sink, a huge header, invalid UTF-8 — every answer is the bare app's", async () => {
      const throwing: Sink = {
        name: 'throwing',
        send: () => {
          throw new Error('sink on fire')
        },
        close: async () => {
          throw new Error('close on fire')
        },
      }
      const bare = await build(fastify, { watchpost: false })
      const t = await build(fastify, { sinks: [throwing] })
      const requests: Array<[string, RequestInit]> = [
        ['/admin', {}],
        ['/users/%ff%fe', {}],
        ['/login', json({ username: '\ud800\u0000', password: 'nope' })],
        [
          '/login',
          {
            ...json({ username: 'a', password: 'nope' }),
            headers: { 'content-type': 'application/json', 'x-long': 'x'.repeat(12_000) },
          },
        ],
      ]
      for (const [path, init] of requests) {
        const [a, b] = await Promise.all([fetch(bare.url + path, init), fetch(t.url + path, init)])
        assert.equal(b.status, a.status, path)
        assert.equal(await b.text(), await a.text(), path)
      }
      // A header far over Node's limit is refused by the parser (431) before Fastify runs.
      const huge = `GET /users/1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(10 * 1024 * 1024)}\r\n\r\n`
      assert.equal(await raw(t.url, huge), await raw(bare.url, huge))
      await t.app.watchpost.flush()
      assert.ok(
        (t.app.watchpost.stats().sinks.throwing?.failed ?? 0) > 0,
        'the failure is counted, not thrown',
      )
      assert.equal(
        t.sink.events.some((e) => e.EventOriginalType === 'malicious_protocol_violation'),
        true,
      )
      await bare.app.close()
      await t.app.close()
    })

    test('a generated correlation id is the one echoed and the one on the events; Node’s request is left alone', async () => {
      const added = new Map<string, Array<string | symbol>>()
      const t = await build(fastify, {
        options: { correlation: { responseHeader: 'x-request-id' } },
        routes: (app) => {
          app.get('/probe', async (request: FastifyRequest) => {
            request.watchpost?.authz.fail({ resource: 'probe' })
            return { ok: true }
          })
          // Registered after the plugin, so they run around its onSend hook.
          const before = new WeakMap<object, Array<string | symbol>>()
          app.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
            before.set(request, Reflect.ownKeys(request.raw))
            done()
          })
          app.addHook('onResponse', (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
            added.set(
              request.url,
              Reflect.ownKeys(request.raw).filter(
                (k) => !before.get(request)?.includes(k) && String(k).includes('watchpost'),
              ),
            )
            done()
          })
        },
      })
      const res = await fetch(`${t.url}/probe`)
      const echoed = res.headers.get('x-request-id')
      assert.match(echoed ?? '', /^[0-9a-f]{32}$/)
      const [event] = await t.of('authz_fail')
      assert.equal(event?.CorrelationId, echoed, 'the context opened in the handler gave the echo its id')
      assert.equal(event?.HttpRoute, '/probe')
      await fetch(`${t.url}/users/1`)
      // Neither a quiet request nor one whose context the handler opened adds a property to Node's
      // request: one added to some requests only makes Node's own code megamorphic for all of them.
      assert.deepEqual(added.get('/probe'), [], 'a context opened in the handler is not kept on request.raw')
      assert.deepEqual(
        added.get('/users/1'),
        [],
        'a request that records nothing leaves request.raw as Node made it',
      )
      // A protocol violation found when the reply is sent carries the same id as the reply.
      const traced = await fetch(`${t.url}/users/%00`)
      const [violation] = await t.of('malicious_protocol_violation')
      assert.equal(violation?.CorrelationId, traced.headers.get('x-request-id'))
      await t.app.close()
    })

    test('a hijacked reply is left alone: no echo header, no response-based detection', async () => {
      const t = await build(fastify, {
        options: { correlation: { responseHeader: 'x-request-id' } },
        routes: (app) =>
          app.get('/raw', (_request: FastifyRequest, reply: FastifyReply) => {
            reply.hijack()
            reply.raw.writeHead(401, { 'content-type': 'text/plain' })
            reply.raw.end('no')
          }),
      })
      const res = await fetch(`${t.url}/raw`)
      assert.equal(res.status, 401)
      assert.equal(await res.text(), 'no')
      assert.equal(res.headers.get('x-request-id'), null)
      assert.equal((await t.of('authn_unauthorized')).length, 0)
      await t.app.close()
    })

    test('bad options reject `await app.register()`; bad route options fail when the route is declared', async () => {
      const bad = fastify()
      await assert.rejects(
        async () => {
          await bad.register(watchpost, {
            config: false,
            detectors: { notFound: { threshold: 'ten' as unknown as number } },
          })
        },
        { code: 'ERR_WATCHPOST_CONFIG_INVALID' },
      )
      await bad.close().catch(() => {})
      const app = fastify()
      await app.register(watchpost, { config: false, sinks: [] })
      assert.throws(
        () => app.get('/health', { config: { watchpost: { ignroe: true } as never } }, async () => 'ok'),
        (err: Error & { code?: string }) =>
          err.code === 'ERR_WATCHPOST_ROUTE_OPTIONS_INVALID' &&
          /route GET \/health/.test(err.message) &&
          /unknown option "ignroe"/.test(err.message),
      )
      await app.close()
    })

    test('requests the HTTP parser refuses are recorded; the answer is the one Fastify gives', async () => {
      const bare = await build(fastify, { watchpost: false })
      const t = await build(fastify)
      for (const request of [
        'TRACK / HTTP/1.1\r\nHost: x\r\n\r\n',
        'GET /\x7f HTTP/1.1\r\nHost: x\r\n\r\n',
      ]) {
        assert.equal(await raw(t.url, request), await raw(bare.url, request))
      }
      await fetch(`${t.url}/users/1`, { method: 'PROPFIND' })
      const methods = (await t.of('malicious_unexpected_method')).map((e) => e.HttpRequestMethod)
      assert.deepEqual(methods.sort(), ['PROPFIND', 'TRACK'])
      assert.equal((await t.of('malicious_protocol_violation'))[0]?.EventOriginalResultDetails, 'parse_error')
      await bare.app.close()
      await t.app.close()
    })

    test('a client that resets, cuts its request, aborts its upload or leaves before the answer records nothing', async () => {
      const t = await build(fastify, {
        routes: (app) => {
          app.post('/upload', { bodyLimit: 4096 }, async () => ({ ok: true }))
          // Answers once the client has gone (the request's `error` comes first: not `once`, which
          // rejects on it). Fastify still runs onSend for that answer.
          app.get('/late', async (request: FastifyRequest, reply: FastifyReply) => {
            await new Promise((resolve) => request.raw.once('close', resolve))
            return reply.code(401).send()
          })
        },
      })
      const recorded = async () => {
        await t.app.watchpost.flush()
        return t.sink.events.map((e) => [e.EventOriginalType, e.AdditionalFields?.ErrorCode])
      }
      for (const hang of clientHangUps({ get: '/users/1', post: '/upload', late: '/late' })) {
        await hangUp(t.app.server, hang)
        assert.deepEqual(await recorded(), [], hang.name)
      }
      // The detector still works: a control character in a header value.
      assert.match(await raw(t.url, 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n'), /^HTTP\/1.1 400 /)
      assert.deepEqual(await recorded(), [['malicious_protocol_violation', 'HPE_INVALID_HEADER_TOKEN']])
      await t.app.close()
    })
  })
}

// @fastify/rate-limit and @fastify/cors each support one Fastify major: 10 and 11 on Fastify 5, 9 on Fastify 4.
for (const [name, fastify, corsPlugin, rateLimitPlugin] of [
  ['fastify 5', fastify5, cors, rateLimit],
  [
    'fastify 4',
    fastify4 as unknown as FastifyFactory,
    cors4 as unknown as typeof cors,
    rateLimit4 as unknown as typeof rateLimit,
  ],
] as const) {
  describe(`@watchpost/fastify on ${name}: rules in protect mode`, () => {
    test('credential stuffing blocks its source with 429 and Retry-After; other sources go on', async (t) => {
      const stuffing = {
        id: 'watchpost.credential-stuffing',
        response: { action: 'block', durationSeconds: 60 },
      }
      const app = await build(fastify, {
        options: { mode: 'protect', trustProxy: 'loopback', rules: [stuffing] },
      })
      t.after(() => app.app.close())
      const login = (user: string, from: string) =>
        fetch(`${app.url}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
          body: JSON.stringify({ username: user, password: 'wrong' }),
        })
      for (let i = 0; i < 10; i++) assert.equal((await login(`user${i}`, '203.0.113.7')).status, 401)
      const refused = await login('user10', '203.0.113.7')
      assert.equal(refused.status, 429)
      assert.equal(refused.headers.get('retry-after'), '60')
      assert.deepEqual(await refused.json(), { error: 'Too Many Requests' })
      assert.equal((await login('user0', '198.51.100.2')).status, 401, 'another source is not blocked')
      const [firing] = await app.of('rule_threshold_authn')
      assert.equal(firing?.RuleName, 'watchpost.credential-stuffing')
      assert.equal(firing?.AdditionalFields?.Response, 'block')
      const [blocked] = await app.of('access_blocked')
      assert.equal(blocked?.SrcIpAddr, '203.0.113.7')
      assert.equal(blocked?.HttpStatusCode, 429)
      assert.equal(app.app.watchpost.rules.blocked({ source: '203.0.113.7' })?.rule, stuffing.id)
      assert.deepEqual(
        await app.of('excess_rate_limit_exceeded'),
        [],
        'its own 429 is not the app’s rate limit',
      )
    })
  })

  describe(`@watchpost/fastify on ${name}: a block answered 403`, () => {
    test('the refused source gets 403 Forbidden, without Retry-After', async (t) => {
      const stuffing = {
        id: 'watchpost.credential-stuffing',
        response: { action: 'block', durationSeconds: 60, status: 403 },
      }
      const app = await build(fastify, {
        options: { mode: 'protect', trustProxy: 'loopback', rules: [stuffing] },
      })
      t.after(() => app.app.close())
      const login = (user: string) =>
        fetch(`${app.url}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
          body: JSON.stringify({ username: user, password: 'wrong' }),
        })
      for (let i = 0; i < 10; i++) assert.equal((await login(`user${i}`)).status, 401)
      const refused = await login('user10')
      assert.equal(refused.status, 403)
      assert.equal(refused.headers.get('retry-after'), null)
      assert.deepEqual(await refused.json(), { error: 'Forbidden' })
    })
  })

  describe(`@watchpost/fastify on ${name} with @fastify/rate-limit and @fastify/cors`, () => {
    test('a rate-limit event from the hooks carries the limit @fastify/rate-limit announced', async () => {
      const t = await build(fastify, {
        routes: (app) => {
          app.register(async (scoped: FastifyInstance) => {
            await scoped.register(
              rateLimitPlugin,
              app.watchpost.rateLimitHooks({ max: 1, timeWindow: '1 minute' }),
            )
            scoped.get('/limited', async () => 'ok')
          })
          app.register(async (scoped: FastifyInstance) => {
            await scoped.register(rateLimitPlugin, {
              max: 2,
              timeWindow: 60_000,
              enableDraftSpec: true,
              ...app.watchpost.rateLimitHooks(),
            })
            scoped.get('/draft', async () => 'ok')
          })
        },
      })
      const statuses = []
      for (const path of ['/limited', '/limited', '/draft', '/draft', '/draft'])
        statuses.push((await fetch(t.url + path)).status)
      assert.deepEqual(statuses, [200, 429, 200, 200, 429])
      const events = await t.of('excess_rate_limit_exceeded')
      assert.deepEqual(
        events.map((e) => [
          e.HttpRoute,
          e.AdditionalFields?.Max,
          e.AdditionalFields?.WindowSeconds,
          e.EventMessage,
        ]),
        [
          ['/limited', 1, 60, 'Rate limit of 1 exceeded'],
          ['/draft', 2, undefined, 'Rate limit of 2 exceeded'],
        ],
        'the numbers given to rateLimitHooks(); without them, the limit from the response headers',
      )
      await t.app.close()
    })

    test('a preflight @fastify/cors refuses and a TRACE request are not counted as not-found misses', async () => {
      const t = await build(fastify, {
        options: { detectors: { notFound: { threshold: 3, reportEach: true } } },
        routes: (app) =>
          app.register(async (scoped: FastifyInstance) => {
            await scoped.register(corsPlugin, {
              delegator: app.watchpost.corsDelegator(['https://shop.example']),
            })
            scoped.get('/api/items', async () => [])
          }),
      })
      const preflight = {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' },
      }
      for (let i = 0; i < 3; i++) {
        // @fastify/cors hands a refused preflight to the not-found handler.
        assert.equal((await fetch(`${t.url}/api/items`, preflight)).status, 404)
        const traced = await raw(t.url, `TRACE /api/items HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
        assert.match(traced, /^HTTP\/1\.1 404 /)
      }
      assert.equal((await t.of('malicious_cors')).length, 3, 'the refusals are recorded as CORS refusals')
      assert.deepEqual(
        (await t.of('malicious_unexpected_method')).map((e) => e.HttpRequestMethod),
        ['TRACE', 'TRACE', 'TRACE'],
      )
      assert.equal((await t.of('access_not_found')).length, 0)
      assert.equal((await t.of('malicious_excess_404')).length, 0)
      for (let i = 0; i < 3; i++) await fetch(`${t.url}/missing-${i}`)
      const [flood] = await t.of('malicious_excess_404')
      assert.equal(flood?.EventCount, 3, 'real misses still count')
      assert.deepEqual(flood?.AdditionalFields?.SamplePaths, ['/missing-0', '/missing-1', '/missing-2'])
      await t.app.close()
    })
  })
}

describe('@watchpost/fastify with @fastify/rate-limit and @fastify/cors (fastify 5)', () => {
  test('rate-limit hooks report exceeded and banned clients once each', async () => {
    const t = await build(fastify5, {
      routes: (app) =>
        app.register(async (scoped: FastifyInstance) => {
          await scoped.register(rateLimit, {
            max: 1,
            timeWindow: 60_000,
            ban: 1,
            ...app.watchpost.rateLimitHooks(),
          })
          scoped.get('/limited', async () => 'ok')
        }),
    })
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${t.url}/limited`)).status)
    assert.deepEqual(statuses, [200, 429, 403, 403])
    const events = await t.of('excess_rate_limit_exceeded')
    assert.ok(
      events.some((e) => e.AdditionalFields?.Banned === true),
      'the ban is reported',
    )
    assert.equal((await t.of('authz_fail')).length, 0, 'the ban 403 is not an authorization failure')
    await t.app.close()
  })

  test('the cors delegator records refused origins; inference covers the rest', async () => {
    const t = await build(fastify5, {
      routes: (app) =>
        app.register(async (scoped: FastifyInstance) => {
          await scoped.register(cors, { delegator: app.watchpost.corsDelegator(['https://shop.example']) })
          scoped.get('/api/items', async () => [])
        }),
    })
    const good = await fetch(`${t.url}/api/items`, { headers: { origin: 'https://shop.example' } })
    assert.equal(good.headers.get('access-control-allow-origin'), 'https://shop.example')
    await fetch(`${t.url}/api/items`, { headers: { origin: 'https://evil.example' } })
    await fetch(`${t.url}/users/1`, { headers: { origin: 'https://other.example' } })
    const events = await t.of('malicious_cors')
    assert.deepEqual(
      events.map((e) => e.AdditionalFields?.Origin),
      ['https://evil.example', 'https://other.example'],
    )
    await t.app.close()
  })

  // Regression: Fastify passes its reply headers to writeHead in one object, so reply.raw
  // never holds Access-Control-Allow-Origin; read from it, every allowed cross-origin request looked
  // refused as soon as nothing else had set a header on reply.raw (no echoed request id).
  test('an origin @fastify/cors allowed is not inferred as refused without the echo header', async () => {
    const t = await build(fastify5, {
      routes: (app) =>
        app.register(async (scoped: FastifyInstance) => {
          await scoped.register(cors, { origin: ['https://shop.example'] })
          scoped.get('/api/items', async () => [])
        }),
    })
    const res = await fetch(`${t.url}/api/items`, { headers: { origin: 'https://shop.example' } })
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://shop.example')
    assert.equal(res.headers.get('x-request-id'), null, 'no echo header')
    await fetch(`${t.url}/api/items`, { headers: { origin: 'https://evil.example' } })
    const events = await t.of('malicious_cors')
    assert.deepEqual(
      events.map((e) => e.AdditionalFields?.Origin),
      ['https://evil.example'],
    )
    await t.app.close()
  })

  test('fastify.close() flushes and closes the pipeline', async () => {
    const t = await build(fastify5)
    await fetch(`${t.url}/admin`)
    await t.app.close()
    assert.equal(t.sink.events.filter((e) => e.EventOriginalType === 'authz_fail').length, 1)
    assert.equal(t.app.watchpost.emit(t.sink.events[0]!), false, 'closed with the app')
  })
})
