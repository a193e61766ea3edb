import assert from 'node:assert/strict'
import { IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import { describe, test } from 'node:test'
import { createContextFactory } from '../src/context/request-context.js'
import type { RequestContext } from '../src/context/types.js'
import { compileEvent, createBuilder, type EventOptions } from '../src/events/build.js'
import { EVENTS_BY_NAME } from '../src/events/catalogue/index.js'
import { uuidv7, uuidv7Time } from '../src/events/uid.js'
import { compileRedactor, type RedactionOptions } from '../src/redaction/index.js'
import type { SecurityEvent } from '../src/schema/fields.js'
import { fakeContext } from './support/fake-context.js'

const identity = { name: 'shop', version: '1.2.3', environment: 'test', host: 'web-1' }

function builderWith(privacy: Partial<RedactionOptions> = {}) {
  const build = createBuilder({ identity, redactor: compileRedactor(privacy), productVersion: '9.9.9' })
  // `null` = no request context; omitted = a populated fake one.
  return (
    name: string,
    params?: Record<string, unknown>,
    ctx: RequestContext | null = fakeContext(),
    options?: EventOptions,
  ) => build(compileEvent(EVENTS_BY_NAME.get(name)!), params, ctx ?? undefined, options)
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/
// C0, DEL, C1, U+2028/2029 and lone surrogates must never reach a record.
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value)
  else if (Array.isArray(value)) for (const v of value) strings(v, out)
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k)
      strings(v, out)
    }
  }
  return out
}

describe('event builder', () => {
  const build = builderWith()

  test('fills identity, context, catalogue mapping and timestamps', () => {
    const ctx = fakeContext()
    const event = build('authn_login_fail', { userId: 'bob', reason: 'bad_password' }, ctx, {
      statusCode: 401,
    })
    assert.equal(event.EventOriginalType, 'authn_login_fail')
    assert.equal(event.EventSchema, 'Authentication')
    assert.equal(event.EventSchemaVersion, '0.1.4')
    assert.equal(event.EventType, 'Logon')
    assert.equal(event.EventResult, 'Failure')
    assert.equal(event.EventResultDetails, 'Incorrect password')
    assert.equal(event.EventOriginalResultDetails, 'bad_password')
    assert.equal(event.EventSeverity, 'Medium')
    assert.equal(event.EventOriginalSeverity, 'WARN')
    assert.equal(event.TargetUsername, 'bob')
    assert.equal(event.ActorUsername, 'alice')
    assert.equal(event.EventMessage, 'Login failed for bob (bad_password)')
    assert.equal(event.CorrelationId, ctx.correlationId)
    assert.equal(event.SrcIpAddr, '203.0.113.7')
    assert.equal(event.SrcPortNumber, 51234)
    assert.equal(event.HttpStatusCode, 401)
    assert.equal(event.Url, '/login?next=%2Fhome')
    assert.equal(event.HttpRoute, '/login')
    assert.equal(event.AppName, 'shop')
    assert.equal(event.AppVersion, '1.2.3')
    assert.equal(event.AppEnvironment, 'test')
    assert.equal(event.DvcHostname, 'web-1')
    assert.equal(event.EventProduct, 'Watchpost')
    assert.equal(event.EventProductVersion, '9.9.9')
    assert.match(event.ActorSessionId!, /^hmac:/, 'session ids are always hashed')
    assert.notEqual(event.ActorSessionId, ctx.sessionId)
    for (const t of [event.TimeGenerated, event.EventStartTime, event.EventEndTime]) assert.match(t, ISO)
    assert.equal(event.EventStartTime, new Date(ctx.startTime).toISOString())
    assert.equal(event.EventCount, 1)
    assert.ok(!('AdditionalFields' in event), 'no empty AdditionalFields')
  })

  test('without a request context it still builds a complete record', () => {
    const event = build('sys_startup', {}, null)
    assert.equal(event.EventType, 'Start')
    assert.equal(event.Operation, 'Start')
    assert.equal(event.CorrelationId, undefined)
    assert.equal(event.SrcIpAddr, undefined)
    assert.equal(event.EventMessage, 'Application started')
  })

  test('typed parameters become typed fields, not strings', () => {
    const event = build('authn_login_fail_max', { userId: 'bob', maxLimit: '5' })
    assert.deepEqual(event.AdditionalFields, { MaxLimit: 5 })
    const created = build('authn_token_created', { userId: 'bob', entitlements: ['read', 'write'] })
    assert.deepEqual(created.AdditionalFields, { Entitlements: ['read', 'write'] })
    const lock = build('authn_login_lock', { userId: 'bob', reason: 'maxretries' })
    assert.equal(lock.TargetUsername, 'bob')
    assert.equal(lock.ActorUsername, 'bob', 'a parameter may fill several fields')
  })

  test('enum parameters drive result, details and severity', () => {
    const failed = build('upload_validation', { filename: 'a.png', check: 'virusscan', outcome: 'failed' })
    assert.equal(failed.EventResult, 'Failure')
    assert.equal(failed.EventSeverity, 'High')
    const passed = build('upload_validation', { filename: 'a.png', check: 'virusscan', outcome: 'passed' })
    assert.equal(passed.EventResult, 'Success')
    assert.equal(passed.EventSeverity, 'Informational')
    const jwt = build('authn_jwt_fail', { reason: 'expired' })
    assert.equal(jwt.EventResultDetails, 'Session expired')
    assert.equal(jwt.LogonProtocol, 'JWT')
    const override = build('upload_validation', { filename: 'a', outcome: 'failed' }, null, {
      severity: 'Low',
    })
    assert.equal(override.EventSeverity, 'Low', 'an explicit severity wins')
  })

  test('a Web Session event with a status: the status is the result details and decides the result', () => {
    // An attack tool's request the app answered 200 reached the app (ASIM WebSession: Success below 400).
    const served = build('malicious_attack_tool', { toolName: 'sqlmap' }, fakeContext(), { statusCode: 200 })
    assert.deepEqual([served.EventResultDetails, served.EventResult], ['200', 'Success'])
    const refused = build('malicious_attack_tool', { toolName: 'sqlmap' }, fakeContext(), { statusCode: 403 })
    assert.deepEqual([refused.EventResultDetails, refused.EventResult], ['403', 'Failure'])
    const unknown = build('malicious_attack_tool', { toolName: 'sqlmap' })
    assert.deepEqual([unknown.EventResultDetails, unknown.EventResult], [undefined, 'Failure'])
    const login = build('authn_login_fail', { userId: 'bob' }, fakeContext(), { statusCode: 200 })
    assert.equal(login.EventResult, 'Failure', 'only the Web Session schema reads the status')
  })

  test('aggregation options set EventCount and the window', () => {
    const start = Date.UTC(2026, 0, 1, 0, 0, 0)
    const end = start + 60_000
    const event = build('malicious_excess_404', { count: 120 }, fakeContext(), {
      count: 120,
      startTime: start,
      endTime: end,
      ruleName: 'notFound',
      statusCode: 404,
    })
    assert.equal(event.EventCount, 120)
    assert.equal(event.EventStartTime, '2026-01-01T00:00:00.000Z')
    assert.equal(event.EventEndTime, '2026-01-01T00:01:00.000Z')
    assert.equal(event.RuleName, 'notFound')
    assert.equal(event.EventResultDetails, '404', 'WebSession details carry the status code')
    assert.equal(event.EventMessage, '120 not-found responses from one source')
  })

  test('user ids and IPs are hashed by option, and the message shows the hash, never the value', () => {
    const hashed = builderWith({ hashKey: 'k'.repeat(32), hashUserIds: true, hashIps: true })
    const event = hashed('authn_login_fail', { userId: 'bob@example.com', reason: 'bad_password' })
    assert.match(event.TargetUsername!, /^hmac:/)
    assert.match(event.ActorUsername!, /^hmac:/)
    assert.match(event.SrcIpAddr!, /^hmac:/)
    assert.ok(!JSON.stringify(event).includes('bob@example.com'))
    assert.ok(!JSON.stringify(event).includes('203.0.113.7'))
    assert.ok(event.EventMessage.includes(event.TargetUsername!))
    const again = hashed('authn_login_fail', { userId: 'bob@example.com' })
    assert.equal(again.TargetUsername, event.TargetUsername, 'same key, same hash')
    const truncated = builderWith({ truncateIps: true })('authz_fail', {})
    assert.equal(truncated.SrcIpAddr, '203.0.113.0')
  })

  test('secrets in the URL, referer and details are redacted', () => {
    const ctx = fakeContext({
      url: '/reset?token=abc123secret&user=bob&card=4111111111111111',
      referer: 'https://x.example/?access_token=zzz999secret',
    })
    const event = build('authz_fail', {}, ctx, {
      details: {
        password: 'hunter2',
        nested: { apiKey: 'k-999secret', ok: 'fine' },
        note: 'card 4111 1111 1111 1111',
      },
    })
    const json = JSON.stringify(event)
    for (const secret of [
      'abc123secret',
      'zzz999secret',
      'hunter2',
      'k-999secret',
      '4111111111111111',
      '4111 1111 1111 1111',
    ]) {
      assert.ok(!json.includes(secret), `${secret} leaked: ${json}`)
    }
    assert.ok(json.includes('fine'))
  })

  test('hostile values are stored bounded and clean, and never throw', () => {
    const huge = 'A'.repeat(1024 * 1024)
    let deep: Record<string, unknown> = { leaf: 'x' }
    for (let i = 0; i < 10_000; i++) deep = { d: deep }
    const proto = JSON.parse(
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}',
    )
    const hostile = `\r\nINJECTED: 1\u0000\u001b[31m\ud800\u2028${huge}`
    const throwing = {
      get boom() {
        throw new Error('getter')
      },
    }
    const ctx = fakeContext({ url: `/x?q=${hostile}`, userAgent: hostile, route: hostile, referer: hostile })
    let event: SecurityEvent | undefined
    assert.doesNotThrow(() => {
      event = build('authn_login_fail', { userId: hostile, reason: hostile }, ctx, {
        details: { deep, proto, throwing, hostile, [hostile]: 1 },
        message: undefined,
      })
    })
    assert.ok(event)
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched')
    for (const s of strings(event)) {
      assert.ok(s.length <= 8192, `a string of ${s.length} chars`)
      assert.doesNotMatch(s, UNSAFE)
    }
    assert.ok(event.EventMessage.length <= 1024)
    assert.ok(JSON.stringify(event).length < 200_000, 'the whole record is bounded')
    assert.ok(event.HttpUserAgent!.includes('\\r\\n'), 'CR/LF are escaped visibly, not dropped')
  })

  test('parameters of the wrong type are coerced or dropped, never thrown', () => {
    const event = build('authn_login_fail_max', { userId: { toString: () => 'obj' }, maxLimit: Number.NaN })
    assert.equal(event.TargetUsername, 'obj')
    assert.equal(event.AdditionalFields, undefined, 'NaN is not an int: dropped')
    const big = build('authn_login_fail_max', { maxLimit: 1e20 })
    assert.equal(big.AdditionalFields?.MaxLimit, 2147483647, 'ints are clamped to the int column range')
  })
})

describe('uuidv7', () => {
  test('ids are RFC 9562 v7, unique and sortable in creation order', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidv7())
    assert.equal(new Set(ids).size, ids.length)
    assert.deepEqual([...ids].sort(), ids, 'lexicographic order = creation order')
    for (const id of ids.slice(0, 100))
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  test('the embedded time is the creation time', () => {
    const now = Date.now()
    assert.equal(uuidv7Time(uuidv7(now + 10_000)), now + 10_000)
  })

  test('the time field is the 48-bit milliseconds in hex, leading zeros and all', () => {
    // Ascending and after every id minted above: uuidv7 never goes back in time.
    for (const ms of [0x1f0000000001, 0xaacdef000001, 0xaacdef123456, 0xfffffe000000]) {
      const hex = ms.toString(16).padStart(12, '0')
      assert.equal(uuidv7(ms).slice(0, 14), `${hex.slice(0, 8)}-${hex.slice(8)}-`)
    }
  })

  test('more than 4096 ids in one millisecond stay ordered', () => {
    const ms = Date.now() + 3_600_000
    const ids = Array.from({ length: 10_000 }, () => uuidv7(ms))
    assert.deepEqual([...ids].sort(), ids)
    assert.equal(new Set(ids).size, ids.length)
  })
})

describe('event builder: forwarded addresses', () => {
  test('X-Forwarded-For is recorded through the IP options, never raw when IPs are hashed or truncated', () => {
    const ctx = fakeContext({ forwardedFor: '198.51.100.23, 10.1.2.3' })
    const plain = builderWith()('authz_fail', {}, ctx)
    assert.equal(plain.HttpRequestXff, '198.51.100.23, 10.1.2.3')
    const truncated = builderWith({ truncateIps: true })('authz_fail', {}, ctx)
    assert.equal(truncated.HttpRequestXff, '198.51.100.0, 10.1.2.0')
    const hashed = builderWith({ hashIps: true, hashKey: 'x'.repeat(32) })('authz_fail', {}, ctx)
    assert.ok(!JSON.stringify(hashed).includes('198.51.100.23'))
    const notAllowed = builderWith({ headerAllowlist: ['user-agent'] })('authz_fail', {}, ctx)
    assert.equal(notAllowed.HttpRequestXff, undefined, 'off the allowlist: not recorded')
  })
})

describe('event builder: route lookup', () => {
  test("an adapter's routeOf names the route when the event is built; a throwing one is ignored", () => {
    const build = builderWith()
    let asked = 0
    const named = createContextFactory({
      ...CONTEXT_DEFAULTS,
      routeOf: () => {
        asked++
        return '/users/:id'
      },
    }).create(new IncomingMessage(new Socket()))
    assert.equal(build('authz_fail', {}, named).HttpRoute, '/users/:id')
    assert.equal(named.route, '/users/:id')
    assert.equal(asked, 1, 'asked once, then kept')
    const broken = createContextFactory({
      ...CONTEXT_DEFAULTS,
      routeOf: () => {
        throw new Error('no')
      },
    }).create(new IncomingMessage(new Socket()))
    assert.equal(build('authz_fail', {}, broken).HttpRoute, undefined)
  })
})

const CONTEXT_DEFAULTS = {
  trustProxy: false,
  traceparent: true,
  requestIdHeaders: ['x-request-id'],
  responseHeader: false,
  maxLength: 128,
} as const
